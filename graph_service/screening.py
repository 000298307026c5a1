"""Account screening: which companies are worth opening, and which customers carry the revenue.

The seed article screens key accounts by size, operating health, standing in
their industry, ownership, kind of account and payment reputation, and reminds
that a few customers bring most of the revenue (the 80/20 rule). Both views are
pure functions over records (:func:`screen_companies`, :func:`pareto`), with a use
case each that reads the store (:func:`screen`, :func:`revenue_pareto`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from graph_service.errors import InvalidInput, Problem
from graph_service.model import AccountKind, Company, CompanyStatus, Health, Ownership, PaymentReputation
from graph_service.store.base import Store, scan_all


class CompanyFilters(BaseModel):
    """What a company must be to pass the screen; empty sets and ``None`` bounds let everything through."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_employees: int | None = Field(None, ge=0)
    max_employees: int | None = Field(None, ge=0)
    min_revenue: float | None = Field(None, ge=0)
    max_revenue: float | None = Field(None, ge=0)
    max_industry_rank: int | None = Field(None, ge=1)
    industries: frozenset[str] = frozenset()
    health: frozenset[Health] = frozenset()
    ownership: frozenset[Ownership] = frozenset()
    account_kind: frozenset[AccountKind] = frozenset()
    payment_reputation: frozenset[PaymentReputation] = frozenset()
    status: frozenset[CompanyStatus] = frozenset()

    def admits(self, company: Company) -> bool:
        """Whether a company passes; an unknown size or rank fails a bound on it."""
        bounds = (
            (company.employees, self.min_employees, self.max_employees),
            (company.revenue, self.min_revenue, self.max_revenue),
            (company.industry_rank, None, self.max_industry_rank),
        )
        for value, low, high in bounds:
            if (low is not None or high is not None) and value is None:
                return False
            if (low is not None and value < low) or (high is not None and value > high):
                return False
        industries = {i.casefold() for i in self.industries}
        if industries and (company.industry or "").casefold() not in industries:
            return False
        chosen = (
            (self.health, company.health),
            (self.ownership, company.ownership),
            (self.account_kind, company.account_kind),
            (self.payment_reputation, company.payment_reputation),
            (self.status, company.status),
        )
        return all(not allowed or value in allowed for allowed, value in chosen)


_ORDINALS: dict[str, dict[str, int]] = {
    "health": {Health.growing: 3, Health.stable: 2, Health.declining: 1},
    "payment_reputation": {PaymentReputation.good: 3, PaymentReputation.fair: 2, PaymentReputation.poor: 1},
    "account_kind": {AccountKind.growing: 3, AccountKind.price_insensitive: 2, AccountKind.steady: 1},
}
"""Ranked fields, better is higher; ``unknown`` has no rank and sorts last."""

SORT_KEYS = frozenset({"name", "employees", "revenue", "industry_rank", "industry", "ownership", "status", *_ORDINALS})
"""Fields a screen can sort by; prefix ``-`` for descending."""

DEFAULT_SORT = ("-revenue", "-employees", "industry_rank", "-health", "-payment_reputation", "name")
"""Large first, then benchmark-setting, healthy, paying on contract: the article's screening order."""


def _sort_value(company: Company, field: str) -> Any:
    value = getattr(company, field)
    if field in _ORDINALS:
        return _ORDINALS[field].get(value)
    return value.casefold() if isinstance(value, str) else value


def screen_companies(
    companies: Iterable[Company],
    *,
    filters: CompanyFilters,
    sort: Sequence[str] = DEFAULT_SORT,
) -> list[Company]:
    """The companies that pass ``filters``, ordered by ``sort``.

    Parameters
    ----------
    companies : iterable of Company
    filters : CompanyFilters
    sort : sequence of str
        Field names from ``SORT_KEYS``, most significant first, ``-`` for
        descending ("-revenue"). Unknown values sort last in either direction; ties
        keep the order of ``companies``.

    Returns
    -------
    list of Company

    Raises
    ------
    InvalidInput
        For a field that cannot be sorted by.
    """
    keys = [(key.removeprefix("-"), key.startswith("-")) for key in sort]
    bad = [Problem("sort", f"cannot sort by {field!r}") for field, _ in keys if field not in SORT_KEYS]
    if bad:
        raise InvalidInput(bad)
    chosen = [company for company in companies if filters.admits(company)]
    for field, descending in reversed(keys):  # stable sorts, least significant key first
        known = [c for c in chosen if _sort_value(c, field) is not None]
        unknown = [c for c in chosen if _sort_value(c, field) is None]
        known.sort(key=lambda c: _sort_value(c, field), reverse=descending)
        chosen = known + unknown
    return chosen


class ParetoRow(BaseModel):
    account: str
    revenue: float
    share: float
    """This account's share of the total."""
    cumulative_share: float
    """Share of the total from this account and all larger ones."""


class Pareto(BaseModel):
    """Accounts by revenue, largest first, cut where the head reaches the target share."""

    share: float
    total: float
    head: list[ParetoRow]
    tail: list[ParetoRow]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def head_share_of_accounts(self) -> float:
        """The fraction of the accounts that make up the head (0.2 for a textbook 80/20)."""
        accounts = len(self.head) + len(self.tail)
        return len(self.head) / accounts if accounts else 0.0


def pareto(customers_by_revenue: Mapping[str, float], share: float = 0.8) -> Pareto:
    """Which accounts make ``share`` of the revenue.

    Parameters
    ----------
    customers_by_revenue : mapping
        Account id -> revenue (negative values are refused; zero counts as an account).
    share : float
        Target share in (0, 1].

    Returns
    -------
    Pareto
        ``head``: the fewest largest accounts whose revenue reaches ``share`` of the
        total; ``tail``: the rest. Equal revenues are ordered by account id, so the
        cut is deterministic. With no revenue at all the head is empty.

    Notes
    -----
    The 80/20 rule (Pareto principle) as used in key-account selling: about 20 %
    of the customers bring 80 % of the sales.
    """
    if not 0 < share <= 1:
        raise InvalidInput(Problem("share", "must be in (0, 1]"))
    negative = [Problem("revenue", f"{account}: must not be negative")
                for account, revenue in customers_by_revenue.items() if revenue < 0]
    if negative:
        raise InvalidInput(negative)
    ordered = sorted(customers_by_revenue.items(), key=lambda item: (-item[1], item[0]))
    total = float(sum(r for _, r in ordered))
    rows: list[ParetoRow] = []
    running = 0.0
    for account, revenue in ordered:
        running += revenue
        rows.append(ParetoRow(account=account, revenue=float(revenue), share=revenue / total if total else 0.0,
                              cumulative_share=running / total if total else 0.0))
    cut = 0
    if total:
        cut = next(i + 1 for i, row in enumerate(rows) if row.cumulative_share >= share - 1e-12)
    return Pareto(share=share, total=total, head=rows[:cut], tail=rows[cut:])


class Screen(BaseModel):
    """One page of screened companies and how many passed in all."""

    total: int
    items: list[Company]


def screen(*, store: Store, filters: CompanyFilters, sort: Sequence[str] = DEFAULT_SORT, limit: int = 100) -> Screen:
    """Screen every stored company: the first ``limit`` that pass, in ``sort`` order."""
    companies = (Company.model_validate(raw) for raw in scan_all(store, "company"))
    passed = screen_companies(companies, filters=filters, sort=sort)
    return Screen(total=len(passed), items=passed[:limit])


def revenue_pareto(*, store: Store, share: float = 0.8) -> Pareto:
    """The 80/20 view of our customers (companies with status ``customer``) by their recorded ``revenue``.

    Customers without a recorded revenue are left out. The model records a
    company's own revenue (its size); where that stands in for what the customer
    buys from us, this is the seed article's 80/20 of the customer base.
    """
    revenue: dict[str, float] = {}
    for raw in scan_all(store, "company"):
        if raw.get("status") == CompanyStatus.customer and raw.get("revenue") is not None:
            revenue[raw["id"]] = float(raw["revenue"])
    return pareto(revenue, share)
