"""Merges are kept, reviewed and undone; ambiguous matches wait on the review list."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph_service import records
from graph_service.connectors import linkedin, mbox, merges, sync, vcard
from graph_service.errors import Conflict, NotFound
from graph_service.model import Company, Employment, Person
from graph_service.store.base import Store
from tests.connectors.conftest import TEAM_EMAIL, by_id, rows
from tests.connectors.test_linkedin import HEADER, NOTES


def snapshot(store: Store) -> dict[str, dict[str, Any]]:
    """Everything but job moves' learned_at, which a re-derivation may renew."""
    found = {entity: by_id(store, entity) for entity in ("person", "company", "employment", "tie", "interaction")}
    found["move"] = {id: {k: v for k, v in m.items() if k != "learned_at"} for id, m in by_id(store, "move").items()}
    return found


@pytest.fixture
def acme(store: Store, team: str) -> None:
    """Acme with two similarly named people, Jon and John Smith, and Sarah who works there since 2023."""
    records.save(store=store, entity="company", records=[Company(id="acme", name="Acme Inc.", domain="acme.com")])
    records.save(store=store, entity="person", records=[
        Person(id="p-jon", name="Jon Smith", emails=["jon.smith@acme.com"]),
        Person(id="p-john", name="John Smith", emails=["john.smith@acme.com"]),
        Person(id="p-sarah", name="Sarah O'Connor", emails=["sarah.oconnor@acme.com"])])
    records.save(store=store, entity="employment", records=[
        Employment(person_id=p, company_id="acme", title="Engineer", start=date(2023, 1, 1))
        for p in ("p-jon", "p-john", "p-sarah")])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


CARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jon Smith\r\nEMAIL:jonny.s@gmail.com\r\nORG:Acme\r\nTITLE:Engineer\r\nEND:VCARD\r\n"
MAIL = (f"From jonny.s@gmail.com Mon Mar 11 09:00:00 2024\nFrom: Jon Smith <jonny.s@gmail.com>\nTo: {TEAM_EMAIL}\n"
        "Date: Mon, 11 Mar 2024 09:00:00 +0000\nMessage-ID: <m1@gmail.com>\n\n")


def test_ambiguous_match_waits_for_review_and_a_decision_can_be_undone(store: Store, team: str, acme: None,
                                                                      tmp_path: Path) -> None:
    summary = sync.run(store=store, plan=vcard.read(write(tmp_path, "a.vcf", CARD), owner=team, as_of=date(2024, 3, 1)))
    assert summary.merged == 0 and summary.review == 1
    (item,) = merges.list_reviews(store=store)
    assert item["reason"] == "several persons with a similar name at the same company"
    assert [o["person_id"] for o in item["options"]] == ["p-jon", "p-john"]
    candidate = item["candidate"]["id"]
    sync.run(store=store, plan=mbox.read(write(tmp_path, "a.mbox", MAIL)))
    before = snapshot(store)
    assert len([i for i in before["interaction"].values() if candidate in i["participants"] + [i["initiator"]]]) == 1

    decided = merges.merge_review(store=store, id=item["id"], into="p-jon")
    assert (decided["rule"], decided["records"]) == ("review", 3)
    people = by_id(store, "person")
    assert candidate not in people and people["p-jon"]["emails"] == ["jon.smith@acme.com", "jonny.s@gmail.com"]
    assert {t["b"] for t in rows(store, "tie")} == {"p-jon"}
    assert [i["initiator"] for i in rows(store, "interaction")] == ["p-jon"]
    assert merges.list_reviews(store=store) == []
    with pytest.raises(Conflict):
        merges.merge_review(store=store, id=item["id"], into="p-john")

    merges.undo(store=store, id=decided["id"])
    assert snapshot(store) == before
    assert [r["id"] for r in merges.list_reviews(store=store)] == [item["id"]], "the item is open again"
    with pytest.raises(Conflict, match="already undone"):
        merges.undo(store=store, id=decided["id"])


def test_dismissed_review_is_not_asked_again(store: Store, team: str, acme: None, tmp_path: Path) -> None:
    path = write(tmp_path, "a.vcf", CARD)
    sync.run(store=store, plan=vcard.read(path, owner=team, as_of=date(2024, 3, 1)))
    (item,) = merges.list_reviews(store=store)
    merges.dismiss_review(store=store, id=item["id"])
    again = sync.run(store=store, plan=vcard.read(path, owner=team, as_of=date(2024, 3, 1)))
    assert again.review == 0 and again.merged == 0
    assert merges.list_reviews(store=store, status="dismissed")[0]["id"] == item["id"]
    with pytest.raises(NotFound):
        merges.dismiss_review(store=store, id="r-nothing")


def test_undoing_an_import_merge_takes_back_its_job_move(store: Store, team: str, acme: None, tmp_path: Path) -> None:
    before = snapshot(store)
    export = write(tmp_path, "Connections.csv", NOTES + HEADER +
                   "Sarah,O'Connor,https://www.linkedin.com/in/sarahoc,sarah.oconnor@acme.com,Globex,COO,01 Feb 2019\n")
    summary = sync.run(store=store, plan=linkedin.read(export, owner=team, as_of=date(2024, 7, 1)))
    assert [(m["merged"], m["into"], m["rule"]) for m in summary.merges] == [("li:sarahoc", "p-sarah", "email")]
    assert summary.moves == 1
    (move,) = rows(store, "move")
    assert (move["person_id"], move["from_company_id"], move["to_company_id"]) == ("p-sarah", "acme", "co:globex")
    sarah = by_id(store, "person")["p-sarah"]
    assert "linkedin:sarahoc" in sarah["tags"] and "via:linkedin" in sarah["tags"]

    (merge,) = merges.list_merges(store=store)
    assert merge["sources"][0]["file"] == "Connections.csv" and merge["records"] == 3
    merges.undo(store=store, id=merge["id"])

    after = snapshot(store)
    assert after["person"]["p-sarah"] == before["person"]["p-sarah"]
    assert {e["person_id"]: (e["company_id"], e["end"]) for e in after["employment"].values()
            if e["person_id"] in ("p-sarah", "li:sarahoc")} == {"p-sarah": ("acme", None),
                                                              "li:sarahoc": ("co:globex", None)}
    assert after["move"] == {}, "one job each: no move"
    assert after["tie"]["tie-ana--li:sarahoc"]["since"] == "2019-02-01"
    assert after["person"]["li:sarahoc"]["emails"] == ["sarah.oconnor@acme.com"]

    again = sync.run(store=store, plan=linkedin.read(export, owner=team, as_of=date(2024, 7, 1)))
    assert again.merged == 0 and again.total_created == 0, "undone: the two stay apart"


def test_manual_merge_and_unknown_ids(store: Store, team: str, acme: None) -> None:
    doc = merges.merge_persons(store=store, person_id="p-john", into="p-jon", evidence="same person, two mailboxes")
    assert doc["rule"] == "manual" and "p-john" not in by_id(store, "person")
    assert merges.get_merge(store=store, id=doc["id"])["entries"][0]["entity"] == "employment"
    with pytest.raises(NotFound):
        merges.merge_persons(store=store, person_id="p-john", into="p-jon")
    with pytest.raises(NotFound):
        merges.undo(store=store, id="m-nothing")
    merges.undo(store=store, id=doc["id"])
    again = merges.merge_persons(store=store, person_id="p-john", into="p-jon")
    assert again["id"] != doc["id"], "a merge made again after an undo is a new merge"
    assert {m["status"] for m in merges.list_merges(store=store)} == {"active", "undone"}
