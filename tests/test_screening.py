"""Screening companies by the seed's criteria, and the 80/20 view of revenue."""

from __future__ import annotations

import pytest

from graph_service.errors import InvalidInput
from graph_service.screening import CompanyFilters, pareto, revenue_pareto, screen, screen_companies
from graph_service.store.base import Store
from tests.factories import company

COMPANIES = [
    company("steel", industry="Steel", industry_rank=1, ownership="state_owned", employees=40_000, revenue=9e9,
            health="stable", payment_reputation="fair", account_kind="steady", status="customer"),
    company("cement", industry="Cement", industry_rank=3, ownership="private", employees=8_000, revenue=2e9,
            health="growing", payment_reputation="good", account_kind="growing", status="prospect"),
    company("mill", industry="Paper", industry_rank=12, ownership="individual", employees=300, revenue=4e7,
            health="declining", payment_reputation="poor", status="prospect"),
    company("chem", industry="Chemicals", ownership="listed", employees=12_000, health="growing",
            payment_reputation="good", account_kind="price_insensitive", status="prospect"),
    company("tiny"),
]


def ids(companies: list) -> list[str]:
    return [c.id for c in companies]


def test_everything_passes_an_empty_screen_largest_first() -> None:
    assert ids(screen_companies(COMPANIES, filters=CompanyFilters())) == ["steel", "cement", "mill", "chem", "tiny"]


def test_screen_by_the_seeds_criteria() -> None:
    big_and_healthy = CompanyFilters(min_employees=5_000, health={"growing", "stable"},
                                     payment_reputation={"good", "fair"})
    assert ids(screen_companies(COMPANIES, filters=big_and_healthy)) == ["steel", "cement", "chem"]
    private = CompanyFilters(ownership={"private", "individual"}, status={"prospect"})
    assert ids(screen_companies(COMPANIES, filters=private)) == ["cement", "mill"]
    leaders = CompanyFilters(max_industry_rank=5)  # an unknown rank fails a bound on rank
    assert ids(screen_companies(COMPANIES, filters=leaders)) == ["steel", "cement"]
    by_industry = CompanyFilters(industries={"cement", "PAPER"})
    assert ids(screen_companies(COMPANIES, filters=by_industry)) == ["cement", "mill"]
    assert ids(screen_companies(COMPANIES, filters=CompanyFilters(account_kind={"growing"}))) == ["cement"]
    assert ids(screen_companies(COMPANIES, filters=CompanyFilters(min_revenue=1e8, max_revenue=5e9))) == ["cement"]


def test_sort_keys_with_unknowns_last_either_way() -> None:
    by = lambda *keys: ids(screen_companies(COMPANIES, filters=CompanyFilters(), sort=keys))  # noqa: E731
    assert by("name") == ["cement", "chem", "mill", "steel", "tiny"]
    assert by("-employees") == ["steel", "chem", "cement", "mill", "tiny"]
    assert by("employees") == ["mill", "cement", "chem", "steel", "tiny"]
    assert by("-health", "name") == ["cement", "chem", "steel", "mill", "tiny"]
    assert by("health", "name") == ["mill", "steel", "cement", "chem", "tiny"]
    assert by("-payment_reputation", "-revenue") == ["cement", "chem", "steel", "mill", "tiny"]
    assert by("industry_rank") == ["steel", "cement", "mill", "chem", "tiny"]


def test_refuses_unknown_sort_keys_and_filters() -> None:
    with pytest.raises(InvalidInput) as err:
        screen_companies(COMPANIES, filters=CompanyFilters(), sort=["-size", "id"])
    assert len(err.value.problems) == 2
    with pytest.raises(ValueError):
        CompanyFilters(health={"booming"})
    with pytest.raises(ValueError):
        CompanyFilters(colour="red")


def test_pareto_textbook_80_20() -> None:
    revenue = {"a": 50.0, "b": 30.0, **{f"small{i}": 2.5 for i in range(8)}}
    view = pareto(revenue)
    assert [row.account for row in view.head] == ["a", "b"]
    assert view.head[-1].cumulative_share == pytest.approx(0.8)
    assert view.head_share_of_accounts == pytest.approx(0.2)
    assert view.total == 100.0
    assert [row.account for row in view.tail] == [f"small{i}" for i in range(8)]
    assert view.tail[-1].cumulative_share == pytest.approx(1.0)


def test_pareto_edges() -> None:
    assert [r.account for r in pareto({"b": 10, "a": 10, "c": 0}, share=0.5).head] == ["a"]
    assert [r.account for r in pareto({"a": 1, "b": 1}, share=1.0).head] == ["a", "b"]
    empty = pareto({"a": 0.0})
    assert (empty.head, len(empty.tail), empty.head_share_of_accounts) == ([], 1, 0.0)
    assert pareto({}).head_share_of_accounts == 0.0
    with pytest.raises(InvalidInput):
        pareto({"a": 1}, share=0)
    with pytest.raises(InvalidInput):
        pareto({"a": -1})


def test_screen_and_pareto_read_the_store(store: Store) -> None:
    store.write(lambda tx: tx.upsert("company", COMPANIES + [company("big", status="customer", revenue=9e9),
                                                           company("nil", status="customer")]))
    found = screen(store=store, filters=CompanyFilters(status={"prospect"}), limit=2)
    assert (found.total, [c.id for c in found.items]) == (3, ["cement", "mill"])
    view = revenue_pareto(store=store, share=0.5)
    assert [row.account for row in view.head] == ["big"] and [row.account for row in view.tail] == ["steel"]
    assert view.model_dump()["head_share_of_accounts"] == 0.5
