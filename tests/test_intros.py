"""Warm introductions on every store: explained hops, unknown ids, empty results with reasons, and a
projection that follows writes (in place, in this process and from another one)."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from graph_service.errors import InvalidInput, NotFound
from graph_service.access import OPERATOR, Viewer
from graph_service.intros import EmptyReason, IntroRequest, find_intro_paths, find_person
from graph_service.model import InteractionType, Person, ReferralOutcome, Source, TieKind
from graph_service.paths import cost_of
from graph_service.projection import EdgeData, Projection, pack, unpack
from graph_service.store.base import Store
from graph_service.strength import PairEvidence, ReferralEvidence, TalkEvidence, TieEvidence, WorkEvidence, evidence_dicts
from tests.factories import company, email, job, people, referral, tie

TODAY = date(2024, 6, 1)


def write(store: Store, **records: list[Any]) -> None:
    store.write(lambda tx: [tx.upsert(entity, items) for entity, items in records.items()])


@pytest.fixture
def world(store: Store) -> Store:
    """Our team (me, you); Bob, who once worked at ACME with its CEO Carol; Dave, ACME's CFO; Eve at a rival."""
    write(
        store,
        person=people("me", "you", "bob", "carol", "dave", "eve", "frank", "zed", internal=("me", "you")),
        company=[company("acme", employees=30, status="prospect"), company("rival", status="competitor")],
        employment=[
            job("bob", "acme", "2012-03-01", "2016-06-30", title="Sales Manager", department="Executive Office"),
            job("carol", "acme", "2015-01-01", title="Chief Executive Officer", department="Executive Office"),
            job("dave", "acme", "2018-01-01", title="CFO", department="Finance"),
            job("eve", "rival", "2019-01-01", title="Engineer"),
        ],
        interaction=[email("me", "bob", at="2024-01-10T09:00:00"), email("bob", "me", at="2024-02-01T09:00:00"),
                     email("me", "bob", at="2024-03-01T09:00:00"), email("eve", "carol", at="2024-04-01T09:00:00")],
        referral=[referral("frank", "dave", on="2020-05-01", to="me")],
        tie=[tie("you", "eve", 0.9, kind="friend", source="personal_network")],
    )
    return store


@pytest.fixture
def projection(world: Store) -> Projection:
    return Projection(world, today=TODAY)


def ask(projection: Projection, **fields: Any) -> Any:
    return find_intro_paths(projection=projection, request=IntroRequest(**fields), viewer=OPERATOR)


def test_a_path_to_a_person_with_every_hop_explained(projection: Projection) -> None:
    result = ask(projection, person_id="carol", sources=["me"])
    # me-dave: Frank's introduction in 2020 (0.4, four years old: 0.19); dave-carol: colleagues at a
    # small company since 2018, other departments (0.6 * 0.96 * 0.5 = 0.29): 0.19 * 0.29 * e^-0.2 = 0.044
    assert [[h.target.id for h in p.hops] for p in result.paths] == [["dave", "carol"], ["bob", "carol"],
                                                                    ["frank", "dave", "carol"]]
    first = result.paths[0]
    assert [h.strength for h in first.hops] == pytest.approx([0.1879, 0.2879], abs=1e-4)
    assert first.score == pytest.approx(first.strength * math.exp(-0.1 * 2), abs=1e-5)  # default hop penalty 0.1
    assert [h.why for h in first.hops] == [["introduced by Frank in 2020 (source: customer referrals)"],
                                           ["work together at ACME since 2018"]]
    via_bob = result.paths[1]
    assert via_bob.introducer.id == "bob" and via_bob.target.title == "Chief Executive Officer"
    assert via_bob.target.layer == "decision_maker" and via_bob.target.company.name == "ACME"
    assert via_bob.hops[0].why == ["emailed 3 times, last 2024-03-01, both initiated (source: sales accounts)"]
    assert via_bob.hops[1].why == ["worked together at ACME 2015-2016 in Executive Office"]
    assert via_bob.hops[0].evidence == [{
        "kind": "interactions", "count": 3, "types": {"email": 3}, "copied": 0, "initiated": {"bob": 1, "me": 2},
        "first": "2024-01-10", "last": "2024-03-01", "sources": ["sales_accounts"],
    }]
    assert set(via_bob.hops[1].parts) == {"work"} and via_bob.hops[1].strength == pytest.approx(via_bob.hops[1].parts["work"])
    assert result.reason is None and result.sources == 1 and result.targets == 1


def test_the_whole_team_and_the_diversity_rule(projection: Projection) -> None:
    result = ask(projection, person_id="carol", k=5)
    assert [[h.source.id for h in p.hops] + [p.target.person.id] for p in result.paths] == [
        ["me", "dave", "carol"], ["you", "eve", "carol"], ["me", "bob", "carol"], ["me", "frank", "dave", "carol"],
    ]
    assert result.paths[1].hops[0].why == ["known as friend, rated 0.90 (source: personal network)"]
    assert result.paths[1].hops[1].why == ["emailed once, last 2024-04-01, Eve initiated (source: sales accounts)"]
    assert [p.rank for p in result.paths] == [1, 2, 3, 4]


def test_a_company_target_means_its_current_employees_in_the_layers_asked(projection: Projection) -> None:
    result = ask(projection, company_id="acme", layers=["decision_maker"], sources=["me"], k=5, introducers=5)
    assert {p.target.person.id for p in result.paths} == {"carol", "dave"}  # not Bob: he left in 2016
    assert result.targets == 2
    to_dave = next(p for p in result.paths if p.target.person.id == "dave")
    assert [h.target.id for h in to_dave.hops] == ["dave"]
    assert to_dave.hops[0].why == ["introduced by Frank in 2020 (source: customer referrals)"]
    assert [(m.person.id, m.targets) for m in result.members] == [("me", 2)]
    assert [(i.person.id, i.targets) for i in result.introducers] == [("frank", 1), ("bob", 1)]


@pytest.mark.parametrize("fields, kind, id", [
    ({"person_id": "nobody"}, "person", "nobody"),
    ({"company_id": "nowhere"}, "company", "nowhere"),
    ({"person_id": "carol", "sources": ["me", "ghost"]}, "person", "ghost"),
    ({"person_id": "carol", "avoid_persons": ["ghost"]}, "person", "ghost"),
    ({"person_id": "carol", "avoid_companies": ["nowhere"]}, "company", "nowhere"),
])
def test_unknown_ids_are_not_found(projection: Projection, fields: dict, kind: str, id: str) -> None:
    with pytest.raises(NotFound) as error:
        ask(projection, **fields)
    assert (error.value.kind, error.value.id) == (kind, id)


@pytest.mark.parametrize("fields", [
    {"person_id": "carol", "k": 0}, {"person_id": "carol", "max_hops": 7}, {"person_id": "carol", "company_id": "acme"},
    {}, {"person_id": "carol", "layers": ["executor"]}, {"person_id": "carol", "min_strength": 1.5},
])
def test_impossible_options_are_refused(fields: dict) -> None:
    with pytest.raises(ValidationError):
        IntroRequest(**fields)


@pytest.mark.parametrize("fields, reason, detail", [
    ({"person_id": "me"}, EmptyReason.target_on_team, "Me is one of the sources"),
    ({"company_id": "acme", "layers": ["executor"]}, EmptyReason.no_current_employees,
     "ACME has no current employees in executor"),
    ({"person_id": "zed"}, EmptyReason.target_unconnected, "nobody in the graph has a tie to the target"),
    ({"person_id": "carol", "sources": ["me"], "max_hops": 1}, EmptyReason.too_far, "no chain of ties within 1 hop"),
    ({"person_id": "carol", "avoid_persons": ["bob", "dave", "eve"]}, EmptyReason.blocked,
     "every chain within 4 hops is blocked by the persons and companies to avoid"),
    ({"person_id": "carol", "sources": ["you"], "avoid_companies": ["rival"]}, EmptyReason.blocked,
     "every chain within 4 hops is blocked by the persons and companies to avoid"),
    ({"person_id": "carol", "min_strength": 0.95}, EmptyReason.blocked,
     "every chain within 4 hops is blocked by the minimum strength 0.95"),
    ({"person_id": "carol", "sources": ["you"], "newer_than": "2024-05-01"}, EmptyReason.blocked,
     "every chain within 4 hops is blocked by evidence newer than 2024-05-01"),
])
def test_no_path_comes_with_the_reason(projection: Projection, fields: dict, reason: EmptyReason, detail: str) -> None:
    result = ask(projection, **fields)
    assert (result.paths, result.reason, result.detail) == ([], reason, detail)


def test_no_team_is_a_reason_too(store: Store) -> None:
    write(store, person=people("a", "b"), tie=[tie("a", "b")])
    result = ask(Projection(store, today=TODAY), person_id="b")
    assert (result.paths, result.reason) == ([], EmptyReason.no_team)


def test_private_ties_count_and_only_their_owner_sees_them(store: Store) -> None:
    write(store, person=people("me", "you", "xavier", "ceo", internal=("me", "you")),
          tie=[tie("you", "me", 0.9), tie("me", "xavier", 0.8, visibility="private", owner="me", notes="college"),
               tie("xavier", "ceo", 0.7), tie("you", "ceo", 1.0, visibility="hidden", owner="you")])
    projection = Projection(store, today=TODAY)

    def paths(viewer: str, source: str) -> Any:
        request = IntroRequest(person_id="ceo", sources=[source], k=1)
        return find_intro_paths(projection=projection, request=request, viewer=Viewer(viewer))

    mine = paths("me", "me").paths[0]
    assert [(h.source.id, h.target.id, h.strength) for h in mine.hops] == [("me", "xavier", 0.8), ("xavier", "ceo", 0.7)]
    assert mine.hops[0].private_of.id == "me" and mine.hops[1].private_of is None
    assert mine.strength == pytest.approx(0.56)

    # you -> me -> (a private contact of Me) -> ceo: the hidden tie you-ceo is not used at all
    theirs = paths("you", "you")
    path = theirs.paths[0]
    assert [(h.source and h.source.id, h.target and h.target.id) for h in path.hops] == [
        ("you", "me"), ("me", None), (None, "ceo")]
    assert path.hops[0].strength == 0.9 and path.hops[0].why
    for hop in path.hops[1:]:
        assert (hop.strength, hop.why, hop.parts, hop.evidence) == (None, [], {}, [])
        assert (hop.private_of.id, hop.note) == ("me", "a private contact of Me: ask them")
    assert (path.score, path.strength, path.introducer.id) == (None, None, "me")
    assert "xavier" not in theirs.model_dump_json().lower() and "0.8" not in theirs.model_dump_json()

    write(store, tie=[tie("me", "xavier", 0.8, visibility="hidden", owner="me")])
    assert paths("me", "me").paths == []


def test_find_a_person_by_name(projection: Projection, world: Store) -> None:
    assert find_person(projection=projection, name="  CAROL ") == "carol"
    with pytest.raises(NotFound):
        find_person(projection=projection, name="Carola")
    write(world, person=[Person(id="carol2", name="Carol")])
    with pytest.raises(InvalidInput) as error:
        find_person(projection=projection, name="carol")
    assert "carol2" in str(error.value.problems)


# -- following writes --------------------------------------------------------------------------------


def test_a_write_is_visible_to_the_next_query(projection: Projection, world: Store) -> None:
    assert ask(projection, person_id="zed").reason == EmptyReason.target_unconnected
    write(world, tie=[tie("me", "zed", 0.7)])
    assert [h.target.id for h in ask(projection, person_id="zed").paths[0].hops] == ["zed"]


def test_a_write_from_another_process_is_visible_to_the_next_query(projection: Projection, world: Store) -> None:
    assert ask(projection, person_id="zed").paths == []
    code = (
        "import sys; from graph_service.settings import Settings; from graph_service.store import open_store; "
        "from graph_service.model import Tie; "
        "store = open_store(Settings(store=sys.argv[1], env='test')); "
        "store.write(lambda tx: tx.upsert('tie', [Tie(a='bob', b='zed', strength=0.8)])); store.close()"
    )
    subprocess.run([sys.executable, "-c", code, world.url], check=True, timeout=120)
    assert [h.target.id for h in ask(projection, person_id="zed", sources=["me"]).paths[0].hops] == ["bob", "zed"]


def snapshot(projection: Projection) -> dict[str, Any]:
    """Everything the graph holds, in a form that does not depend on the order of updates."""
    G = projection.graph
    edges = {}
    for p, q, data in G.edges(data=True):
        a, b = sorted((p, q))
        evidence = data.evidence
        edges[(a, b)] = (data.cost, data.last, evidence._replace(work=sorted(evidence.work),
                                                                 referrals=sorted(evidence.referrals)))
    return {
        "nodes": dict(G.nodes(data=True)),
        "edges": edges,
        "companies": G.graph["companies"],
        "team": G.graph["team"],
        "employees": {c: people for c, people in G.graph["employees"].items() if people},
    }


def test_updates_in_place_equal_a_rebuild(projection: Projection, world: Store) -> None:
    steps = [
        {"tie": [tie("you", "zed", 0.4)], "person": [Person(id="zed", name="Zed Zulu")]},
        {"interaction": [email("bob", "carol", "dave", at="2024-05-01T10:00:00", cc=("eve",))]},
        {"employment": [job("carol", "acme", "2015-01-01", "2024-01-01", title="Chief Executive Officer",
                            department="Executive Office"),
                        job("carol", "rival", "2024-01-02", title="President")]},
        {"person": [Person(id="bob", name="Bob", internal=True)]},
        {"referral": [referral("carol", "zed", on="2023-02-01", to="you")], "tie": [tie("you", "eve", 0.3)]},
        {"company": [company("rival", employees=4000, status="competitor")]},
        {"employment": [job("zed", "acme", "2020-01-01", id="emp-zed", title="Controller", department="Finance")]},
        {"employment": [job("zed", "rival", "2020-01-01", id="emp-zed", title="Controller", department="Finance")]},
        {"employment": [job("zed", "acme", "2016-01-01", "2019-12-31", id="emp-zed-0", department="Finance")]},
        {"employment": [job("zed", "rival", "2016-01-01", "2019-12-31", id="emp-zed-0", department="Finance")]},
    ]
    for step in steps:
        write(world, **step)
        projection.refresh()
        assert snapshot(projection) == snapshot(Projection(world, today=TODAY)), step
    world.write(lambda tx: tx.delete("person", ["frank"]))
    projection.refresh()
    assert "frank" not in projection.graph
    assert snapshot(projection) == snapshot(Projection(world, today=TODAY))
    interaction_ids = [i.id for i in world.read(lambda tx: tx.list("interaction", after=None, limit=100, filters={}))]
    world.write(lambda tx: tx.delete("interaction", interaction_ids[:2]))
    assert projection.refresh() == 1
    assert snapshot(projection) == snapshot(Projection(world, today=TODAY))


# -- the projection's edges -----------------------------------------------------------------------------

ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789:.-@", min_size=1, max_size=24)
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
days = st.dates(date(1, 1, 1), date(9999, 12, 31))
sources = st.sampled_from([s.value for s in Source])
evidence = st.builds(
    PairEvidence,
    st.none() | st.builds(TieEvidence, st.none() | st.floats(1e-9, 1.0), st.sampled_from([k.value for k in TieKind]),
                          sources, st.none() | days),
    st.none() | st.builds(
        TalkEvidence, ids, ids, st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), days, days,
        st.lists(st.tuples(st.sampled_from([t.value for t in InteractionType]), st.integers(0, 2**32 - 1),
                           st.integers(0, 2**32 - 1)), max_size=4, unique_by=lambda t: t[0]).map(tuple),
        st.lists(sources, unique=True, max_size=3).map(tuple)),
    st.lists(st.builds(WorkEvidence, ids, st.sampled_from(["colleague", "board", "association"]), st.none() | days,
                       st.none() | days, texts, st.integers(0, 2**32 - 1), st.none() | sources), max_size=3).map(tuple),
    st.lists(st.builds(ReferralEvidence, ids, st.sampled_from(["referred", "introduced", "referred_to"]), ids, ids,
                       st.none() | ids, days, st.sampled_from([o.value for o in ReferralOutcome]), sources),
             max_size=2).map(tuple),
)


@given(evidence)
def test_evidence_packs_into_bytes_and_back_unchanged(pair: PairEvidence) -> None:
    assert unpack(memoryview(pack(pair))) == pair


def test_edge_data_is_a_read_only_mapping_networkx_can_read() -> None:
    pair = PairEvidence(tie=TieEvidence(0.5, "friend", "personal_network", date(2019, 3, 1)))
    data = EdgeData.of(pair, cost=cost_of(0.5), last=date(2019, 3, 1))
    assert list(data) == ["strength", "cost", "last", "evidence"] and len(data) == 4 and "cost" in data
    assert data["strength"] == pytest.approx(0.5) and data["cost"] == cost_of(0.5)
    assert data["last"] == date(2019, 3, 1) and data["evidence"] == evidence_dicts(pair)
    assert data.get("weight", 1) == 1  # what networkx reads for a missing weight
    with pytest.raises(KeyError):
        data["weight"]
    assert data.weighed(7, None).cost == 7 and data.weighed(7, None).evidence == pair
