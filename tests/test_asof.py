"""As-of queries and career timelines, with date precision, on both stores."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from graph_service import asof, records
from graph_service.errors import NotFound
from graph_service.model import Employment
from graph_service.store.base import Store
from tests.factories import company, job, people, tie
from tests.test_feed import client  # noqa: F401 - the app with the moves routes


def build(store: Store) -> None:
    store.write(lambda tx: tx.upsert("person", people("tom", "ann", "ben", "cat", internal=("tom",))))
    store.write(lambda tx: tx.upsert("company", [company("acme", status="customer"), company("globex"),
                                                 company("initech")]))
    records.save(store=store, entity="employment", records=[
        # ann: month precision; left acme in June 2019 and started at globex that month
        job("ann", "acme", "2015-03-01", "2019-06-01", title="Procurement Manager", precision="month"),
        job("ann", "globex", "2019-06-01", title="Chief Executive Officer", precision="month"),
        job("ann", "initech", "2020-01-01", title="Member of the Board", precision="month"),
        # ben and cat: day precision
        job("ben", "acme", "2010-01-01", "2020-01-01", title="Chief Executive Officer"),
        job("ben", "acme", "2020-01-01", title="Chairman"),
        job("cat", "acme", "2018-05-02", "2022-01-01", title="Plant Manager", seniority=5),
        job("tom", "acme", "2000-01-01", "2001-01-01", title="Intern"),
    ])
    records.save(store=store, entity="tie", records=[tie("tom", "cat", 0.7)])


def where(store: Store, person: str, day: str) -> list[tuple[str, bool, bool]]:
    found = asof.employer_on(store=store, person_id=person, on=date.fromisoformat(day))
    return [(p.company.id, p.certain, p.side_position) for p in found.positions]


def test_employer_on_a_day_respects_date_precision(store: Store) -> None:
    build(store)
    assert where(store, "ann", "2015-02-28") == []
    assert where(store, "ann", "2015-03-10") == [("acme", False, False)]  # started some day in March 2015
    assert where(store, "ann", "2015-03-31") == [("acme", True, False)]
    assert where(store, "ann", "2019-06-15") == [("acme", False, False), ("globex", False, False)]
    assert where(store, "ann", "2019-07-01") == [("globex", True, False)]
    assert where(store, "ann", "2021-01-01") == [("globex", True, False), ("initech", True, True)]  # board seat last
    # day precision: the end day is the first day not employed
    assert where(store, "ben", "2019-12-31") == [("acme", True, False)]
    found = asof.employer_on(store=store, person_id="ben", on=date(2020, 1, 1))
    assert [(p.employment.title, p.layer, p.seniority) for p in found.positions] == [("Chairman", "decision_maker", 10)]
    with pytest.raises(NotFound):
        asof.employer_on(store=store, person_id="nobody", on=date(2020, 1, 1))


def test_held_on_edges() -> None:
    year = Employment(person_id="p", company_id="c", start="2010-01-01", end="2012-01-01", precision="year")
    assert asof.held_on(year, date(2010, 6, 1)) == (True, False)
    assert asof.held_on(year, date(2010, 12, 31)) == (True, True)
    assert asof.held_on(year, date(2012, 6, 1)) == (True, False)  # ended some day in 2012
    assert asof.held_on(year, date(2013, 1, 1)) == (False, False)
    unknown_start = Employment(person_id="p", company_id="c")
    assert asof.held_on(unknown_start, date(1990, 1, 1)) == (True, False)
    assert asof.period_end(date(2019, 12, 1), "month") == date(2020, 1, 1)


def test_account_people_on_a_day(store: Store) -> None:
    build(store)
    found = asof.people_on(store=store, company_id="acme", on=date(2019, 1, 1))
    assert [(m.person.id, m.position.layer, m.position.certain) for m in found.people] == [
        ("ben", "decision_maker", True), ("ann", "executor", True), ("cat", "user_influencer", True),
    ]
    cat = found.people[-1]
    assert (cat.our_strength, cat.via) == (0.7, "tom")
    assert found.by_layer == {"decision_maker": 1, "executor": 1, "user_influencer": 1, "unknown": 0}
    later = asof.people_on(store=store, company_id="acme", on=date(2023, 1, 1))
    assert [(m.person.id, m.position.employment.title) for m in later.people] == [("ben", "Chairman")]
    assert [m.person.id for m in asof.people_on(store=store, company_id="acme", on=date(2000, 6, 1)).people] == ["tom"]
    with pytest.raises(NotFound):
        asof.people_on(store=store, company_id="nowhere", on=date(2020, 1, 1))


def test_career_timeline(store: Store) -> None:
    build(store)
    found = asof.timeline(store=store, person_id="ann")
    assert [(e.position.company.id, e.position.side_position) for e in found.entries] == [
        ("acme", False), ("globex", False), ("initech", True),
    ]
    assert found.entries[0].move_in is None
    move = found.entries[1].move_in
    assert move is not None and (move.from_company_id, move.to_company_id, move.type) == ("acme", "globex", "move")
    assert [m.type for m in found.moves] == ["move"]
    ben = asof.timeline(store=store, person_id="ben")
    assert [m.type for m in ben.moves] == ["role_change"]
    assert ben.entries[1].move_in is not None and ben.entries[1].move_in.to_title == "Chairman"


def test_as_of_over_http(client: tuple[TestClient, dict[str, str]], store: Store) -> None:  # noqa: F811
    http, headers = client
    build(store)
    people_then = http.get("/as-of/companies/acme/people", params={"on": "2019-01-01"}, headers=headers)
    assert people_then.status_code == 200, people_then.text
    assert [m["person"]["id"] for m in people_then.json()["people"]] == ["ben", "ann", "cat"]
    employer = http.get("/as-of/people/ann/employer", params={"on": "2019-06-15"}, headers=headers).json()
    assert [(p["company"]["id"], p["certain"]) for p in employer["positions"]] == [("acme", False), ("globex", False)]
    timeline = http.get("/people/ann/timeline", headers=headers).json()
    assert [e["position"]["company"]["id"] for e in timeline["entries"]] == ["acme", "globex", "initech"]
    assert http.get("/people/nobody/timeline", headers=headers).status_code == 404
    assert http.get("/as-of/people/ann/employer", headers=headers).status_code == 422  # the day is required
    assert http.get("/as-of/companies/nowhere/people", params={"on": "2020-01-01"}, headers=headers).status_code == 404
