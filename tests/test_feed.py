"""The moves feed and the impact of a move: a tiny world with hand-computed scores, on both stores."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes import moves as moves_routes
from graph_service import feed, impact, records
from graph_service.access import OPERATOR
from graph_service.errors import InvalidInput, NotFound
from graph_service.feed import FeedIndex, list_feed
from graph_service.keys import Scope, create as create_key
from graph_service.model import Interaction
from graph_service.settings import Settings
from graph_service.store.base import Store
from tests.factories import company, job, people, tie

TODAY = date.today()  # the day tie strength measures recency from
PEOPLE = ("tom", "una", "ann", "ben", "cat", "dan", "eve", "fay", "gus", "hal")


def build(store: Store) -> None:
    """Our team is tom and una; acme is a customer, globex a prospect, initech a competitor."""
    store.write(lambda tx: tx.upsert("person", people(*PEOPLE, internal=("tom", "una"))))
    store.write(lambda tx: tx.upsert("company", [
        company("acme", status="customer"), company("globex", status="prospect"),
        company("initech", status="competitor"), company("umbrella"), company("ours"),
    ]))
    records.save(store=store, entity="employment", records=[
        job("tom", "ours", "2015-01-01", title="Key Account Manager"),
        job("una", "ours", "2016-01-01", title="Sales Director"),
        job("ann", "acme", "2012-01-01", "2020-01-01", title="Chief Executive Officer", seniority=10),
        job("ann", "globex", "2020-02-01", title="Chief Executive Officer", seniority=10),
        job("ben", "acme", "2015-01-01", "2021-03-01", title="Buyer", seniority=4),
        job("ben", "initech", "2021-03-01", title="Head of Procurement", seniority=6),
        job("cat", "initech", "2016-01-01", "2022-05-01", title="Engineer", seniority=3),
        job("cat", "acme", "2022-05-01", title="Engineer", seniority=3),
        job("dan", "globex", "2010-01-01", "2019-06-01", title="Operations Manager", seniority=5),
        job("dan", "umbrella", "2019-06-01", title="Operations Director", seniority=6),
        job("eve", "acme", "2015-01-01", "2020-01-01", title="Engineer"),
        job("eve", "acme", "2020-01-01", title="Engineering Manager"),
        job("fay", "acme", "2018-01-01", title="Procurement Manager"),
        job("gus", "acme", "2017-01-01", title="Plant Manager"),
        job("hal", "umbrella", "2015-01-01", "2023-01-01", title="VP Sales", seniority=7),
        job("hal", "globex", "2023-01-01", title="Chief Operating Officer", seniority=9),
    ])
    records.save(store=store, entity="tie", records=[
        tie("tom", "ann", 0.9), tie("tom", "cat", 0.8, visibility="private"), tie("tom", "fay", 0.5),
        tie("fay", "hal", 0.8),
    ])
    records.save(store=store, entity="interaction", records=[
        Interaction(type="meeting", at=datetime.combine(TODAY - timedelta(days=days), time(10)), initiator="una",
                    participants=["ben"])
        for days in (30, 20, 10)
    ])


# Hand-computed (module docstring of graph_service.feed):
#   ann  CEO(10) -> CEO(10), decision-maker both sides: role 1.0; tie 0.9 (tom); prospect 1.0
#        0.35 * 1.0 + 0.35 * 0.9 + 0.30 * 1.0 = 0.965
#   hal  VP(7, decision-maker) -> COO(9): role 0.4 * 0.85 + 0.6 * 0.95 = 0.91; no direct tie; prospect
#        0.35 * 0.91 + 0 + 0.30 = 0.6185
#   ben  Buyer(4) -> Head of Procurement(6), executor: role 0.4 * 0.55 + 0.6 * 0.65 = 0.61;
#        three meetings una started, the last 10 days ago (graph_service.strength, default weights):
#        talk = 0.9 * (1 - exp(-3 * 3 / 12)) * (0.3 + 0.7 * 0.5 ** (10 / 365)) * 0.7 (one-sided) = BEN_TIE;
#        competitor 0.6: 0.2135 + 0.35 * BEN_TIE + 0.18
#   cat  Engineer(3) -> Engineer(3), executor: role 0.5; the tie is private, so not ours; customer 0.9
#        0.175 + 0.27 = 0.445
#   dan  Operations Manager(5) -> Operations Director(6), user/influencer: role 0.4 * 0.45 + 0.6 * 0.5 = 0.48;
#        other 0.2: 0.168 + 0.06 = 0.228
BEN_TIE = 0.9 * (1 - math.exp(-9 / 12)) * (0.3 + 0.7 * 0.5 ** (10 / 365)) * 0.7  # about 0.3285
SCORES = {"ann": 0.965, "hal": 0.6185, "ben": 0.2135 + 0.35 * BEN_TIE + 0.18, "cat": 0.445, "dan": 0.228}


def ranked(page: feed.FeedPage) -> list[str]:
    return [item.move.person_id for item in page.items]


def test_ranking_matches_the_documented_score(store: Store) -> None:
    build(store)
    page = list_feed(store=store)
    assert ranked(page) == ["ann", "hal", "ben", "cat", "dan"]
    assert page.total == 5
    for item in page.items:
        assert item.relevance.score == pytest.approx(SCORES[item.move.person_id], abs=1e-6)
        parts = item.relevance  # the parts shown add up to the score ranked by
        assert parts.score == pytest.approx(feed.score(parts.role, parts.tie, item.to_company.status), abs=1e-6)
    ann = page.items[0]
    assert (ann.connected, ann.our_strength, ann.via) == (True, 0.9, "tom")
    assert (ann.from_company.name, ann.to_company.status) == ("ACME", "prospect")
    assert ann.relevance.to_seniority == 10
    ben = page.items[2]
    assert (ben.connected, ben.via, ben.our_strength) == (True, "una", pytest.approx(BEN_TIE, abs=1e-6))
    assert page.items[3].connected is False  # cat's only tie to us is private


def test_filters(store: Store) -> None:
    build(store)
    index = FeedIndex(store)

    def who(**filters: object) -> list[str]:
        return ranked(list_feed(store=store, index=index, **filters))  # type: ignore[arg-type]

    assert who(since=date(2020, 1, 1)) == ["ann", "hal", "ben", "cat"]
    assert who(since=date(2020, 2, 1), until=date(2021, 3, 1)) == ["ann", "ben"]  # both ends included
    assert who(connected=True) == ["ann", "ben"]
    assert who(company_id="acme", direction="out") == ["ann", "ben"]
    assert who(company_id="acme", direction="in") == ["cat"]
    assert who(company_id="acme") == ["ann", "ben", "cat"]
    assert who(company_id="nowhere") == []
    assert who(layer="executor") == ["ben", "cat"]
    assert who(layer="decision_maker", since=date(2020, 1, 1), connected=True) == ["ann"]
    assert "eve" not in who() and "eve" in who(include_role_changes=True, company_id="acme")
    with pytest.raises(InvalidInput):
        list_feed(store=store, index=index, direction="in")  # a direction needs a company
    with pytest.raises(InvalidInput):
        list_feed(store=store, index=index, layer="boss")
    for cursor in ("nope", str(2**70), "-5"):
        with pytest.raises(InvalidInput):
            list_feed(store=store, index=index, after=cursor)


def test_pages_follow_the_ranking(store: Store) -> None:
    build(store)
    index = FeedIndex(store)
    seen, after = [], None
    while True:
        page = list_feed(store=store, index=index, limit=2, after=after)
        seen += ranked(page)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == ["ann", "hal", "ben", "cat", "dan"]


def test_index_follows_the_change_feed(store: Store) -> None:
    build(store)
    index = FeedIndex(store)
    assert ranked(list_feed(store=store, index=index)) == ["ann", "hal", "ben", "cat", "dan"]
    # cat's tie becomes visible to the team; initech becomes a customer; ann's new job is withdrawn; gus moves
    records.update(store=store, entity="tie", id="tie-cat--tom", changes={"visibility": "team"})
    records.update(store=store, entity="company", id="initech", changes={"status": "customer"})
    ann_globex = job("ann", "globex", "2020-02-01", title="Chief Executive Officer", seniority=10)
    records.delete(store=store, entity="employment", id=ann_globex.id)
    records.save(store=store, entity="employment", records=[
        job("gus", "acme", "2017-01-01", "2024-01-01", title="Plant Manager"),
        job("gus", "globex", "2024-01-01", title="Plant Manager"),
    ])
    page = list_feed(store=store, index=index)
    scores = {item.move.person_id: item.relevance.score for item in page.items}
    assert "ann" not in scores
    assert scores["cat"] == pytest.approx(0.175 + 0.35 * 0.8 + 0.27)
    assert scores["ben"] == pytest.approx(0.2135 + 0.35 * BEN_TIE + 0.30 * 0.9, abs=1e-6)
    assert "gus" in scores
    assert ranked(page) == ranked(list_feed(store=store))  # same as an index built from scratch
    assert [i.relevance.score for i in page.items] == [i.relevance.score for i in list_feed(store=store).items]
    # a new team member's ties count at once: fay joins our team, and she knows hal
    assert "hal" not in ranked(list_feed(store=store, index=index, connected=True))
    store.write(lambda tx: tx.upsert("person", people("fay", internal=("fay",))))
    hal = next(i for i in list_feed(store=store, index=index, connected=True).items if i.move.person_id == "hal")
    assert (hal.our_strength, hal.via) == (0.8, "fay")


def test_impact_of_a_move(store: Store) -> None:
    build(store)
    ann_move = list_feed(store=store).items[0].move
    found = impact.get(viewer=OPERATOR, store=store, move_id=ann_move.id, on=date(2024, 6, 1))
    left = {c.layer: c for c in found.left.coverage}
    assert (left["decision_maker"].people, left["decision_maker"].known) == (0, 0)
    assert (left["executor"].people, left["executor"].known) == (3, 1)  # cat, eve, fay; we know fay
    assert [c.person.id for c in left["executor"].contacts] == ["fay"]
    assert (left["user_influencer"].people, left["user_influencer"].known) == (1, 0)  # gus
    assert found.left.uncovered == ["decision_maker", "user_influencer"]
    assert found.left.mover_layer == "decision_maker"
    door = found.joined
    assert (door.mover.person.id, door.mover.our_strength, door.mover.via) == ("ann", 0.9, "tom")
    assert door.path is not None and [(h.from_id, h.to_id) for h in door.path.hops] == [("tom", "ann")]
    assert door.path.hops[0].why == "other tie 0.90 (sales_accounts)"
    joined = {c.layer: c for c in door.coverage}
    assert (joined["decision_maker"].people, joined["decision_maker"].known) == (1, 0)  # hal, not known directly


def test_warm_door_through_a_colleague(store: Store) -> None:
    build(store)
    hal_move = next(i.move for i in list_feed(store=store).items if i.move.person_id == "hal")
    door = impact.get(viewer=OPERATOR, store=store, move_id=hal_move.id, on=date(2024, 6, 1)).joined
    assert door.mover.our_strength == 0
    assert door.path is not None
    assert [(h.from_id, h.to_id) for h in door.path.hops] == [("tom", "fay"), ("fay", "hal")]
    assert door.path.strength == pytest.approx(0.5 * 0.8)
    with pytest.raises(NotFound):
        impact.get(viewer=OPERATOR, store=store, move_id="move-nope")


# -- HTTP ------------------------------------------------------------------------------


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app with the moves routes, ahead of /moves/{id} (as the lead registers them)."""
    app = create_app(settings)
    if "/moves/feed" not in app.openapi()["paths"]:
        before = list(app.router.routes)
        app.include_router(moves_routes.router)
        added = [r for r in app.router.routes if r not in before]
        first = next(i for i, r in enumerate(before) if getattr(r, "path", None) is None)
        app.router.routes[:] = before[:first] + added + before[first:]
        app.openapi_schema = None
    token = create_key(store=store, user="reader", scope=Scope.read)[1]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client, {"Authorization": f"Bearer {token}"}


def test_feed_and_impact_over_http(client: tuple[TestClient, dict[str, str]], store: Store) -> None:
    http, headers = client
    build(store)
    response = http.get("/moves/feed", params={"since": "2020-01-01", "connected": "true"}, headers=headers)
    assert response.status_code == 200, (
        f"{response.text}: create_app must include api.routes.moves before api.routes.records, "
        "or GET /moves/{id} answers /moves/feed")
    body = response.json()
    assert [i["move"]["person_id"] for i in body["items"]] == ["ann", "ben"]
    assert body["items"][0]["relevance"]["score"] == pytest.approx(0.965)
    move_id = body["items"][0]["move"]["id"]
    assert http.get(f"/moves/{move_id}", headers=headers).json()["person_id"] == "ann"  # the plain record still works
    found = http.get(f"/moves/{move_id}/impact", params={"on": "2024-06-01"}, headers=headers)
    assert found.status_code == 200, found.text
    assert found.json()["left"]["uncovered"] == ["decision_maker", "user_influencer"]
    assert http.get("/moves/feed", params={"layer": "boss"}, headers=headers).status_code == 422
    assert http.get("/moves/feed", params={"direction": "in"}, headers=headers).status_code == 422
    assert http.get("/moves/move-nope/impact", headers=headers).status_code == 404
    assert http.get("/moves/feed").status_code == 401


def test_an_index_kept_current_ranks_like_a_fresh_one(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Changed rows are merged into the kept order (never re-sorted here); the result must equal a rebuild."""
    import random

    from graph_service.generate import Synthetic

    monkeypatch.setattr(feed, "_RESORT", 1.0)
    world = Synthetic(400, ties_per_person=3, interactions_per_person=1, team_size=5, seed=3)
    for kind in ("person", "company", "employment", "tie"):
        records.save(store=store, entity=kind, records=list(world.records(kind)))
    index = FeedIndex(store)
    queries: list[dict[str, object]] = [{}, {"connected": True}, {"since": date(2015, 1, 1)}, {"layer": "executor"},
                                        {"include_role_changes": True, "limit": 7}]

    def pages(idx: FeedIndex, query: dict[str, object]) -> list[tuple[str, float]]:
        seen, after = [], None
        while True:
            page = list_feed(store=store, index=idx, after=after, **query)  # type: ignore[arg-type]
            seen += [(i.move.id, i.relevance.score) for i in page.items]
            if page.next_cursor is None:
                return seen
            after = page.next_cursor

    before = pages(index, {})
    rng = random.Random(5)
    companies = [world.company_id(c) for c in range(1, world.companies)]
    outsiders = [world.person_id(p) for p in range(world.team_size, world.people)]
    for round_ in range(3):
        for company_id in rng.sample(companies, 2):
            records.update(store=store, entity="company", id=company_id,
                           changes={"status": rng.choice(["prospect", "customer", "competitor", "other"])})
        records.save(store=store, entity="tie", records=[
            tie(world.person_id(rng.randrange(world.team_size)), p, round(rng.uniform(0.1, 1), 2))
            for p in rng.sample(outsiders, 5)])
        movers = rng.sample(outsiders, 3)
        for person in movers:
            jobs = store.read(lambda tx: tx.employments_of([person]))
            current = max(jobs, key=lambda e: e.start)  # type: ignore[attr-defined]
            records.save(store=store, entity="employment", records=[
                current.model_copy(update={"end": date(2025, 3, 1 + round_)}),
                job(person, rng.choice(companies), f"2025-03-0{1 + round_}", title="Chief Operating Officer")])
        victim = rng.choice(store.read(lambda tx: tx.employments_of([rng.choice(outsiders)])))
        records.delete(store=store, entity="employment", id=victim.id)
        fresh = FeedIndex(store)
        for query in queries:
            assert pages(index, query) == pages(fresh, query), (round_, query)
    assert pages(index, {}) != before


def test_with_the_projection_strengths_come_from_its_graph(store: Store) -> None:
    """The API's way: our ties from the projection (every kind of evidence), connected still means tie or talk."""
    from graph_service.projection import Projection

    build(store)
    records.save(store=store, entity="employment", records=[  # tom worked beside cat at initech
        job("tom", "initech", "2016-01-01", "2018-01-01", title="Sales Engineer")])
    projection = Projection(store)
    index = FeedIndex(store, projection)
    page = list_feed(store=store, index=index)
    by_person = {item.move.person_id: item for item in page.items}
    assert by_person["ann"].our_strength == pytest.approx(0.9, abs=1e-5)
    assert by_person["ben"].our_strength == pytest.approx(BEN_TIE, abs=1e-5)
    cat = by_person["cat"]
    assert (cat.connected, cat.via) == (False, "tom") and cat.our_strength > 0  # a former colleague, no tie or talk
    assert cat.relevance.score == pytest.approx(0.175 + 0.35 * cat.our_strength + 0.27, abs=1e-5)
    assert ranked(list_feed(store=store, index=index, connected=True)) == ["ann", "ben"]
    hal_move = by_person["hal"].move
    door = impact.get(viewer=OPERATOR, store=store, move_id=hal_move.id, on=date(2024, 6, 1), projection=projection).joined
    assert door.path is not None
    assert [(h.from_id, h.to_id) for h in door.path.hops] == [("tom", "fay"), ("fay", "hal")]
    assert door.path.strength == pytest.approx(0.4, abs=1e-4)
    assert all(hop.why for hop in door.path.hops)
    # the index follows the projection: a new tie from una to dan makes dan connected
    records.save(store=store, entity="tie", records=[tie("una", "dan", 0.6)])
    assert "dan" in ranked(list_feed(store=store, index=index, connected=True))
