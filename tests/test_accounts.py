"""Account maps on both stores: layers, influence, coverage, gaps, warm next steps, as-of and the cache."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes import accounts as accounts_routes
from graph_service import accounts as accounts_module
from graph_service import projection as projection_module
from graph_service import records
from graph_service.access import OPERATOR
from graph_service.accounts import AccountMap, ResultCache, get_account_map, list_influencers
from graph_service.demo import DEMO_TEAM, enron_records
from graph_service.errors import InvalidInput, NotFound
from graph_service.importing.bulk import import_records
from graph_service.keys import Scope
from graph_service.keys import create as create_key
from graph_service.model import DecisionLayer, Person
from graph_service.projection import Projection
from graph_service.settings import Settings
from graph_service.store.base import Store
from tests.factories import company, email, job, people, tie

TODAY = date(2024, 6, 1)


def layer(found: AccountMap, which: str):  # noqa: ANN201 - a LayerView
    return next(view for view in found.layers if view.layer == which)


def person(found: AccountMap, id: str):  # noqa: ANN201 - a MappedPerson
    return next(p for view in found.layers for p in view.people if p.id == id)


def build(store: Store) -> None:
    store.write(lambda tx: tx.upsert("person", people(
        "us", "friend", "gm", "chair", "buyer", "engineer", "operator", "newbie", "gone", internal=("us",))))
    store.write(lambda tx: tx.upsert("company", [company("acme", status="customer"), company("assoc")]))
    records.save(store=store, entity="employment", records=[
        job("gm", "acme", "2015-01-01", title="总经理"),
        job("chair", "acme", "2010-01-01", title="董事长"),
        job("buyer", "acme", "2019-01-01", title="采购经理"),
        job("engineer", "acme", "2018-01-01", title="Project Engineer"),
        job("operator", "acme", "2016-01-01", title="生产部主任"),
        job("newbie", "acme", "2024-01-01", title="Employee", decision_layer="executor"),
        job("gone", "acme", "2012-01-01", "2020-01-01", title="Plant Manager"),
        job("friend", "assoc", "2000-01-01", title="Secretary General"),
    ])
    records.save(store=store, entity="tie", records=[
        tie("us", "engineer", 0.8), tie("us", "friend", 0.9), tie("friend", "gm", 0.7),
        tie("buyer", "engineer", 0.6), tie("gm", "chair", 0.9), tie("us", "gone", 0.5),
    ])


def test_layers_influence_and_coverage(store: Store) -> None:
    build(store)
    found = get_account_map(viewer=OPERATOR, store=store, projection=Projection(store, today=TODAY), company_id="acme")
    assert found.company.id == "acme" and found.as_of == TODAY and found.team == ["us"]
    assert {view.layer: [p.id for p in view.people] for view in found.layers} == {
        "decision_maker": ["gm", "chair"] if person(found, "gm").influence > person(found, "chair").influence
        else ["chair", "gm"],
        "executor": [p.id for p in layer(found, "executor").people],
        "user_influencer": ["operator"],
        "unknown": [],
    }
    assert set(p.id for p in layer(found, "executor").people) == {"buyer", "engineer", "newbie"}
    gm, newbie, engineer = person(found, "gm"), person(found, "newbie"), person(found, "engineer")
    assert (gm.layer, gm.layer_inferred, gm.seniority) == ("decision_maker", True, 10)
    assert (newbie.layer, newbie.layer_inferred) == ("executor", False)  # the stated layer wins
    assert gm.influence == pytest.approx(0.5 * gm.seniority / 10 + 0.5 * gm.centrality, abs=1e-6)
    assert all(0 <= p.influence <= 1 and 0 <= p.centrality <= 1 for view in found.layers for p in view.people)
    assert engineer.coverage.model_dump() == {"strength": 0.8, "via": "us", "covered": True, "hops": 1}
    assert (gm.coverage.covered, gm.coverage.via, gm.coverage.hops) == (False, None, 2)
    assert layer(found, "executor").strongest.model_dump() == {
        "person": "engineer", "name": "Engineer", "strength": 0.8, "via": "us"}
    assert [view.covered for view in found.layers] == [False, True, False, False]
    assert found.gaps == [
        "no relationship to any decision-maker",
        "no relationship to any user or influencer",
        "single-threaded: Engineer is the only person we cover here; if they leave, the account goes with them",
    ]
    assert found.people == 6  # "gone" left in 2020, "us" is on our team


def test_next_steps_are_warm_paths_to_uncovered_decision_makers(store: Store) -> None:
    build(store)
    found = get_account_map(viewer=OPERATOR, store=store, projection=Projection(store, today=TODAY), company_id="acme")
    steps = {step.target: step for step in found.next_steps}
    assert set(steps) == {"gm", "chair"}
    to_gm = steps["gm"]
    assert [hop.person for hop in to_gm.path] == ["us", "friend", "gm"]
    assert [hop.strength for hop in to_gm.path] == [None, pytest.approx(0.9), pytest.approx(0.7)]
    assert to_gm.score == pytest.approx(0.9 * 0.7 * 2.718281828 ** -0.2, rel=1e-4)
    assert [step.target for step in found.next_steps] == [
        p.id for p in layer(found, "decision_maker").people]  # most influential first


def test_as_of_a_past_day_and_a_chosen_team(store: Store) -> None:
    build(store)
    projection = Projection(store, today=TODAY)
    past = get_account_map(viewer=OPERATOR, store=store, projection=projection, company_id="acme", as_of=date(2017, 6, 1))
    assert sorted(p.id for view in past.layers for p in view.people) == ["chair", "gm", "gone", "operator"]
    gone = person(past, "gone")
    assert (gone.layer, gone.coverage.covered) == ("user_influencer", True)
    assert layer(past, "user_influencer").covered
    theirs = get_account_map(viewer=OPERATOR, store=store, projection=projection, company_id="acme", team=["friend"])
    assert theirs.team == ["friend"]
    assert [view.covered for view in theirs.layers] == [True, False, False, False]
    assert theirs.gaps[-1].startswith("single-threaded: Gm is the only person we cover")
    records.save(store=store, entity="tie", records=[tie("friend", "chair", 0.5)])
    theirs = get_account_map(viewer=OPERATOR, store=store, projection=projection, company_id="acme", team=["friend"])
    assert theirs.gaps[-1] == "no relationship below the decision-makers: when they leave, nothing carries the account"
    with pytest.raises(InvalidInput):
        get_account_map(viewer=OPERATOR, store=store, projection=projection, company_id="acme", team=["nobody"])
    with pytest.raises(NotFound):
        get_account_map(viewer=OPERATOR, store=store, projection=projection, company_id="nowhere")


def test_the_cache_follows_writes(store: Store) -> None:
    build(store)
    projection, cache = Projection(store, today=TODAY), ResultCache()
    first = get_account_map(viewer=OPERATOR, store=store, projection=projection, company_id="acme", cache=cache)
    assert get_account_map(viewer=OPERATOR, store=store, projection=projection, company_id="acme", cache=cache) is first
    records.save(store=store, entity="tie", records=[tie("us", "gm", 0.9)])
    after = get_account_map(viewer=OPERATOR, store=store, projection=projection, company_id="acme", cache=cache)
    assert after is not first
    assert layer(after, "decision_maker").covered
    assert "no relationship to any decision-maker" not in after.gaps
    assert "gm" not in {step.target for step in after.next_steps}


def test_the_team_reach_is_kept_until_a_tie_changes(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    build(store)
    projection, reached = Projection(store, today=TODAY), []
    original = accounts_module.team_reach
    monkeypatch.setattr(accounts_module, "team_reach", lambda G, team: reached.append(team) or original(G, team))

    def new_map() -> AccountMap:
        return get_account_map(viewer=OPERATOR, store=store, projection=projection, company_id="acme",
                               cache=ResultCache())

    new_map()
    store.write(lambda tx: tx.upsert("person", [Person(id="gm", name="Gm Renamed")]))
    renamed = new_map()
    assert len(reached) == 1, "a new name moves no tie: the reach is kept"
    assert person(renamed, "gm").name == "Gm Renamed", "the map itself is new"
    records.save(store=store, entity="tie", records=[tie("us", "gm", 0.9)])
    assert person(new_map(), "gm").coverage.hops == 1
    assert len(reached) == 2, "a new tie: the reach is found again"


def test_the_projection_keeps_its_matrix_current_across_writes(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rankings read the ties as a matrix; after a write it is patched, and equals the one read again."""
    build(store)
    projection, reads = Projection(store, today=TODAY), []
    original = projection_module.adjacency
    monkeypatch.setattr(projection_module, "adjacency", lambda G, weight: reads.append(1) or original(G, weight))

    def check() -> None:
        with projection.current() as G:
            kept = projection.adjacency()
            fresh = original(G, "strength")
        assert kept.nodes == fresh.nodes and kept.matrix.nnz == fresh.matrix.nnz
        assert abs(kept.matrix - fresh.matrix).max() == 0.0

    check()
    writes = [
        ("tie", [tie("us", "gm", 0.95)]),  # a new tie
        ("tie", [tie("buyer", "engineer", 0.2)]),  # a weaker one
        ("interaction", [email("buyer", "operator", "gm")]),
        ("person", people("stranger", "loner")),  # new nodes, no tie
        ("employment", [job("stranger", "acme", "2023-01-01", title="Buyer")]),  # new colleagues
        ("employment", [job("engineer", "acme", "2018-01-01", "2024-03-01", title="Project Engineer")]),
    ]
    for entity, written in writes:
        records.save(store=store, entity=entity, records=written)
        check()
    assert len(reads) == 1, "every write was patched in"
    records.delete(store=store, entity="person", id="loner")
    check()
    assert len(reads) == 2, "a person who leaves the graph: the matrix is read again"


def test_result_cache_is_bounded_and_keyed_by_sequence() -> None:
    cache, built = ResultCache(size=2), []

    def build(key: str) -> str:
        built.append(key)
        return key.upper()

    for key in ("a", "b", "a", "c", "b"):
        assert cache.get_or_build(1, key, lambda key=key: build(key)) == key.upper()
    assert built == ["a", "b", "c", "b"]  # "b" was the least recently used when "c" came
    cache.get_or_build(2, "a", lambda: build("a"))
    assert built[-1] == "a"


@pytest.fixture
def enron(store: Store) -> Store:
    data = Path(Settings(env="test").demo_data)
    for entity, stream in enron_records(data, team=DEMO_TEAM).items():
        import_records(store=store, entity=entity, records_in=stream, source="demo")
    return store


def test_enron_account_map(enron: Store) -> None:
    projection = Projection(enron, today=date(2001, 12, 1))
    found = get_account_map(viewer=OPERATOR, store=enron, projection=projection, company_id="enron")
    deciders = {p.id: p for p in layer(found, "decision_maker").people}
    for chief in ("kenneth.lay", "jeff.skilling", "john.lavorato", "david.delainey", "louise.kitchen",
                  "greg.whalley", "jeffrey.shankman", "stanley.horton"):  # CEOs and presidents
        assert f"enron:{chief}" in deciders
    assert all(p.layer_inferred for p in deciders.values())
    assert found.team == sorted(DEMO_TEAM)
    assert layer(found, "decision_maker").covered and layer(found, "user_influencer").covered
    assert "no executor known at this account (procurement, project, technical)" in found.gaps

    traders = ["enron:bill.williams", "enron:kate.symes"]
    ours = get_account_map(viewer=OPERATOR, store=enron, projection=projection, company_id="enron", team=traders)
    assert [(view.layer, view.covered) for view in ours.layers] == [
        (DecisionLayer.decision_maker, False), (DecisionLayer.executor, False),
        (DecisionLayer.user_influencer, True), (DecisionLayer.unknown, True)]
    assert ours.gaps[0] == "no relationship to any decision-maker"
    assert len(ours.next_steps) == 5
    for step in ours.next_steps:
        assert step.path[0].person in traders and step.path[-1].person == step.target
        assert deciders[step.target] and not person(ours, step.target).coverage.covered
        assert 2 <= len(step.path) <= 5 and 0 < step.score < 1


def test_influencers_across_the_graph_and_toward_an_account(store: Store) -> None:
    build(store)
    projection, cache = Projection(store, today=TODAY), ResultCache()
    top = list_influencers(store=store, projection=projection, limit=3, cache=cache)
    assert top.by == "pagerank" and top.toward is None and len(top.people) == 3
    assert top.people[0].score >= top.people[1].score >= top.people[2].score
    ranks = {p.id: p for p in list_influencers(store=store, projection=projection, limit=50).people}
    assert ranks["us"].internal and ranks["engineer"].employers[0].id == "acme"
    toward = list_influencers(store=store, projection=projection, toward="acme", limit=3, cache=cache)
    assert toward.toward.id == "acme" and toward.seeds == ["chair", "gm"]
    assert "gm" not in {p.id for p in toward.people} and "chair" not in {p.id for p in toward.people}
    assert {p.id for p in toward.people} & {"friend", "engineer"}
    brokers = list_influencers(store=store, projection=projection, by="brokers", limit=1)
    assert brokers.people[0].id in {"us", "engineer", "friend", "gm"}
    figures = list_influencers(store=store, projection=projection, by="figures", limit=20)
    friend = next(p for p in figures.people if p.id == "friend")
    assert (friend.companies_reached, friend.decision_makers_reached) == (1, 1)
    with pytest.raises(InvalidInput):
        list_influencers(store=store, projection=projection, toward="acme", by="brokers")
    with pytest.raises(InvalidInput):
        list_influencers(store=store, projection=projection, toward="assoc")  # no decision-maker there


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app with the accounts routes (as the lead registers them)."""
    app = create_app(settings)
    if "/influencers" not in app.openapi()["paths"]:
        app.include_router(accounts_routes.router)
        app.openapi_schema = None
    token = create_key(store=store, user="reader", scope=Scope.read)[1]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client, {"Authorization": f"Bearer {token}"}


def test_accounts_over_http(client: tuple[TestClient, dict[str, str]], store: Store) -> None:
    http, headers = client
    build(store)
    found = http.get("/accounts/acme/map", params={"as_of": "2024-06-01"}, headers=headers)
    assert found.status_code == 200, found.text
    body = found.json()
    assert [view["layer"] for view in body["layers"]] == ["decision_maker", "executor", "user_influencer", "unknown"]
    assert body["gaps"][0] == "no relationship to any decision-maker"
    assert {step["target"] for step in body["next_steps"]} == {"gm", "chair"}
    team = http.get("/accounts/acme/map", params={"team": "friend,us"}, headers=headers).json()
    assert team["team"] == ["friend", "us"] and team["layers"][0]["covered"]
    assert http.get("/accounts/nowhere/map", headers=headers).status_code == 404
    assert http.get("/accounts/acme/map", params={"team": "nobody"}, headers=headers).status_code == 422
    assert http.get("/accounts/acme/map").status_code == 401

    toward = http.get("/influencers", params={"toward": "acme", "limit": 3}, headers=headers).json()
    assert toward["seeds"] == ["chair", "gm"] and len(toward["people"]) == 3
    assert http.get("/influencers", params={"by": "figures"}, headers=headers).status_code == 200
    assert http.get("/influencers", params={"by": "fame"}, headers=headers).status_code == 422

    store.write(lambda tx: tx.upsert("company", [company("big", status="customer", revenue=8e9, employees=9000),
                                                 company("small", status="customer", revenue=1e9, employees=50)]))
    screened = http.get("/accounts/screen", params={"status": "customer,prospect", "min_employees": 100},
                        headers=headers).json()
    assert (screened["total"], [c["id"] for c in screened["items"]]) == (1, ["big"])
    by_name = http.get("/accounts/screen", params={"sort": "-name"}, headers=headers).json()
    assert [c["id"] for c in by_name["items"]] == ["small", "big", "assoc", "acme"]
    assert http.get("/accounts/screen", params={"sort": "colour"}, headers=headers).status_code == 422
    assert http.get("/accounts/screen", params={"health": "booming"}, headers=headers).status_code == 422
    view = http.get("/accounts/pareto", params={"share": 0.8}, headers=headers).json()
    assert [row["account"] for row in view["head"]] == ["big"] and view["head_share_of_accounts"] == 0.5
