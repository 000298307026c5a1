"""Bounded projections: the same answers as the full projection, from the neighbourhoods alone, on both stores."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from api.app import create_app
from graph_service import keys
from graph_service.access import OPERATOR, Viewer
from graph_service.accounts import get_account_map
from graph_service.bounded import BoundedProjection
from graph_service.demo import DEMO_TEAM, enron_records
from graph_service.errors import GraphServiceError
from graph_service.generate import AS_OF, KINDS, Synthetic
from graph_service.importing.bulk import import_records
from graph_service.intros import IntroRequest, find_intro_paths
from graph_service.keys import Scope
from graph_service.model import DecisionLayer
from graph_service.projection import Projection
from graph_service.settings import Settings
from graph_service.store.base import Store
from tests.factories import people, tie

ENRON_DAY = date(2001, 12, 1)
WORLD_PEOPLE = 1200


def load(store: Store, streams: dict[str, Any]) -> Store:
    for entity, stream in streams.items():
        import_records(store=store, entity=entity, records_in=stream, source="test")
    return store


@pytest.fixture
def enron(store: Store) -> Store:
    return load(store, enron_records(Path(Settings(env="test").demo_data), team=DEMO_TEAM))


@pytest.fixture
def world(store: Store) -> Store:
    """A generated world with large companies (departments, board seats), group interactions and referrals."""
    synthetic = Synthetic(WORLD_PEOPLE, companies=30, ties_per_person=4, interactions_per_person=2,
                          referrals_per_person=0.2, team_size=8, seed=5)
    return load(store, {kind: synthetic.records(kind) for kind in KINDS})


def paths(projection: Projection | BoundedProjection, **fields: Any) -> dict[str, Any] | str:
    """The answer, or the error (unknown ids are errors in both modes)."""
    try:
        return find_intro_paths(projection=projection, request=IntroRequest(**fields), viewer=OPERATOR).model_dump()
    except GraphServiceError as error:
        return repr(error)


def account(projection: Projection | BoundedProjection, store: Store, **fields: Any) -> dict[str, Any] | str:
    try:
        return get_account_map(store=store, projection=projection, viewer=OPERATOR, **fields).model_dump()
    except GraphServiceError as error:
        return repr(error)


def assert_same_edges(bounded: nx.Graph, full: nx.Graph) -> None:
    """Every tie of the bounded graph is byte for byte the full graph's (cost, newest day, evidence)."""
    expanded, passable = bounded.graph["bounded"].expanded, bounded.graph["bounded"].passable
    assert expanded
    for p, q, data in bounded.edges(data=True):
        assert p in expanded or q in expanded
        assert bytes(data) == bytes(full._adj[p][q]), (p, q)
    for p in expanded:  # an expanded person has every tie a walk can use
        assert set(bounded._adj[p]) == {q for q in full._adj[p] if q in passable}, p
        for q in set(full._adj[p]) - passable:  # left out: a dead end, tied to this one expanded person only
            assert expanded.intersection(full._adj[q]) == {p}, q
        assert bounded.nodes[p] == full.nodes[p]


# -- Enron --------------------------------------------------------------------------------------


def test_enron_paths_and_maps_equal_the_full_projection(enron: Store) -> None:
    full = Projection(enron, today=ENRON_DAY)
    bounded = BoundedProjection(enron, today=ENRON_DAY)
    chiefs = ["enron:kenneth.lay", "enron:jeff.skilling", "enron:louise.kitchen", "enron:greg.whalley"]
    for target in chiefs:
        for hops in (1, 2, 4):
            asked = dict(person_id=target, max_hops=hops, introducers=3)
            assert paths(bounded, **asked) == paths(full, **asked)
    traders = ["enron:bill.williams", "enron:kate.symes"]
    asked = dict(person_id="enron:jeff.skilling", sources=traders, k=5, diverse=False, max_hops=3)
    assert paths(bounded, **asked) == paths(full, **asked)
    asked = dict(company_id="enron", layers=[DecisionLayer.decision_maker], max_hops=3, avoid_persons=[chiefs[0]])
    assert paths(bounded, **asked) == paths(full, **asked)
    for team in (None, traders):
        assert account(bounded, enron, company_id="enron", team=team) == account(full, enron, company_id="enron", team=team)
    G = bounded.graph(sources=traders, targets=chiefs, hops=3)
    assert_same_edges(G, full.graph)


# -- a generated world, random queries ------------------------------------------------------------


@pytest.fixture
def projections(world: Store) -> tuple[Projection, BoundedProjection, Store]:
    return Projection(world, today=AS_OF), BoundedProjection(world, today=AS_OF), world


persons = st.integers(0, WORLD_PEOPLE - 1).map(lambda i: f"p{i:07d}")
companies = st.integers(0, 30).map(lambda i: f"c{i:05d}")  # c00000 is not a company


@st.composite
def intro_requests(draw: st.DrawFn) -> dict[str, Any]:
    fields: dict[str, Any] = {"max_hops": draw(st.integers(1, 5)), "k": draw(st.integers(1, 5)),
                              "diverse": draw(st.booleans()), "introducers": draw(st.sampled_from([0, 3]))}
    if draw(st.booleans()):
        fields["person_id"] = draw(persons)
    else:
        fields["company_id"] = draw(companies)
        fields["layers"] = draw(st.lists(st.sampled_from(list(DecisionLayer)), max_size=2, unique=True))
    if draw(st.booleans()):
        fields["sources"] = draw(st.lists(persons, min_size=1, max_size=4, unique=True))
    fields["avoid_persons"] = draw(st.lists(persons, max_size=3, unique=True))
    fields["avoid_companies"] = draw(st.lists(companies, max_size=1))
    fields["min_strength"] = draw(st.sampled_from([0.0, 0.0, 0.2]))
    fields["newer_than"] = draw(st.sampled_from([None, None, date(2023, 1, 1)]))
    return fields


@hypothesis_settings(max_examples=40, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(asked=intro_requests())
def test_random_warm_path_queries_equal_the_full_projection(projections: tuple[Projection, BoundedProjection, Store],
                                                           asked: dict[str, Any]) -> None:
    full, bounded, _ = projections
    assert paths(bounded, **asked) == paths(full, **asked)


@hypothesis_settings(max_examples=12, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(company=companies, team=st.one_of(st.none(), st.lists(persons, min_size=1, max_size=5, unique=True)),
       as_of=st.sampled_from([None, date(2020, 6, 1)]))
def test_random_account_maps_equal_the_full_projection(projections: tuple[Projection, BoundedProjection, Store],
                                                       company: str, team: list[str] | None, as_of: date | None) -> None:
    full, bounded, store = projections
    asked = dict(company_id=company, team=team, as_of=as_of)
    assert account(bounded, store, **asked) == account(full, store, **asked)


def test_every_tie_read_is_the_full_graphs_tie(projections: tuple[Projection, BoundedProjection, Store]) -> None:
    full, bounded, _ = projections
    team = sorted(full.graph.graph["team"])
    G = bounded.graph(sources=None, targets=["p0000500", "p0000900"], target_companies=["c00003"], hops=4)
    assert set(G.graph["team"]) == set(team)
    assert G.graph["employees"]["c00003"] == full.graph.graph["employees"]["c00003"]
    assert_same_edges(G, full.graph)
    assert G.number_of_edges() < full.graph.number_of_edges()
    sides = [side for side, _ in G.graph["bounded"].levels]
    assert sides[0] == "targets" and len(sides) <= 4


def test_hubs_are_not_expanded_and_the_graph_stays_smaller(projections: tuple[Projection, BoundedProjection, Store]) -> None:
    full, bounded, store = projections
    capped = BoundedProjection(store, today=AS_OF, hub_degree=8)
    ends = dict(sources=None, targets=["p0000700"], hops=4)
    wide, narrow = bounded.graph(**ends), capped.graph(**ends)
    info = narrow.graph["bounded"]
    assert info.hubs and not info.hubs & info.expanded
    assert "p0000700" in info.expanded  # the ends are expanded whatever their degree
    assert narrow.number_of_edges() < wide.number_of_edges()
    degrees = store.read(lambda tx: tx.degrees(sorted(info.hubs)))
    assert all(degrees[p] > 8 for p in info.hubs)
    assert_same_edges(narrow, full.graph)  # what is read is still exact


def test_the_store_reads_neighbourhoods(projections: tuple[Projection, BoundedProjection, Store]) -> None:
    full, _, store = projections
    person = "p0000042"
    found = store.read(lambda tx: tx.neighbourhood([person, person]))
    assert all(person in (t["a"], t["b"]) for t in found["tie"])
    assert all(person in {i.get("initiator"), *i["participants"], *(i.get("cc") or ())} for i in found["interaction"])
    assert all(person in (r["referrer_id"], r["referred_id"], r.get("to_id")) for r in found["referral"])
    assert {e["person_id"] for e in found["employment"]} == {person}
    assert len({t["id"] for t in found["tie"]}) == len(found["tie"])
    degrees = store.read(lambda tx: tx.degrees([person, "nobody"]))
    assert degrees == {person: len(found["tie"]) + len(found["interaction"]) + len(found["referral"])}
    company = found["employment"][0]["company_id"]
    everyone = store.read(lambda tx: tx.employments_at({company: None}))
    sizes = store.read(lambda tx: tx.company_sizes([company, "nowhere"]))
    assert sizes == {company: (len({e["person_id"] for e in everyone}), len(everyone))}
    department = next(e["department"] for e in everyone if e.get("department"))
    some = store.read(lambda tx: tx.employments_at({company: [department]}))
    assert some and {e["id"] for e in some} == {e["id"] for e in everyone if e.get("department") == department}
    starts = sorted(e["start"] for e in everyone if e.get("start"))
    ends = sorted(e["end"] for e in everyone if e.get("end"))
    first, last = ends[len(ends) // 2], starts[len(starts) // 2]
    held = store.read(lambda tx: tx.employments_at({company: None}, within=(date.fromisoformat(first),
                                                                              date.fromisoformat(last))))
    expected = {e["id"] for e in everyone
                if (e.get("start") is None or e["start"] <= last) and (e.get("end") is None or e["end"] >= first)}
    assert {e["id"] for e in held} == expected and 0 < len(expected) < len(everyone)


# -- the API and the setting ----------------------------------------------------------------------


def test_the_api_runs_bounded_when_set(settings: Settings, world: Store) -> None:
    bounded = settings.model_copy(update={"projection_mode": "bounded"})
    token = keys.create(store=world, user="reader", scope=Scope.read)[1]
    headers = {"Authorization": f"Bearer {token}"}
    answers = []
    for mode in (settings, bounded):
        with TestClient(create_app(mode), raise_server_exceptions=False) as client:
            body = {"person_id": "p0000500", "k": 3, "max_hops": 4}
            found = client.post("/intro-paths", json=body, headers=headers)
            assert found.status_code == 200, found.text
            mapped = client.get("/accounts/c00002/map", params={"next_steps": 3}, headers=headers)
            assert mapped.status_code == 200, mapped.text
            answers.append((found.json(), mapped.json()))
            ranked = client.get("/influencers", headers=headers)
            assert ranked.status_code == (200 if mode is settings else 409), ranked.text
            state = client.app.state  # type: ignore[attr-defined]
            assert (getattr(state, "projection", None) is None) == (mode is bounded)  # no full graph in bounded mode
    assert answers[0] == answers[1]


def test_private_ties_count_and_are_masked_the_same_in_both_modes(store: Store) -> None:
    store.write(lambda tx: [
        tx.upsert("person", people("me", "you", "xavier", "ceo", internal=("me", "you"))),
        tx.upsert("tie", [tie("you", "me", 0.9), tie("me", "xavier", 0.8, visibility="private", owner="me"),
                          tie("xavier", "ceo", 0.7)]),
    ])
    request = IntroRequest(person_id="ceo", sources=["you"], k=1)
    for viewer in (Viewer("you"), Viewer("me")):
        full, bounded = (find_intro_paths(projection=p, request=request, viewer=viewer)
                         for p in (Projection(store, today=AS_OF), BoundedProjection(store, today=AS_OF)))
        assert full == bounded and full.paths
    assert [h.note for h in full.paths[0].hops] == [None, None, None]  # the owner sees her tie
    assert [h.target and h.target.id for h in bounded.paths[0].hops] == ["me", "xavier", "ceo"]
