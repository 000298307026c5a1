"""The store contract: the same behaviour from SQLite and from a real Neo4j."""

from __future__ import annotations

from datetime import datetime, timezone

from graph_service.model import JobMove
from graph_service.store.base import Store
from tests.factories import company, email, job, people, referral, tie


def seed(store: Store) -> None:
    store.write(lambda tx: tx.upsert("person", people("alice", "bob", "carol", "dave", internal=("alice",))))
    store.write(lambda tx: tx.upsert("company", [company("acme", status="customer"), company("globex")]))


def test_upsert_reports_created_updated_unchanged(store: Store) -> None:
    first = store.write(lambda tx: tx.upsert("person", people("alice", "bob")))
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = store.write(lambda tx: tx.upsert("person", people("alice", "bob")))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    renamed = people("alice")[0].model_copy(update={"name": "Alice Liddell"})
    changed = store.write(lambda tx: tx.upsert("person", [renamed]))
    assert (changed.created, changed.updated, changed.changed_ids) == (0, 1, ["alice"])
    assert store.read(lambda tx: tx.get_many("person", ["alice"]))["alice"].name == "Alice Liddell"
    assert store.read(lambda tx: tx.count("person")) == 2


def test_records_round_trip_exactly(store: Store) -> None:
    seed(store)
    records = {
        "employment": job("bob", "acme", "1999-03-01", "2001-06-30", title="VP Trading", department="Trading", decision_layer="executor", seniority=6),
        "tie": tie("carol", "bob", 0.8, kind="friend", source="personal_network", since="2000-01-01", notes="golf, 二号"),
        "interaction": email("bob", "carol", "dave", cc=("alice",)),
        "referral": referral("carol", "dave", to="alice"),
    }
    for entity, record in records.items():
        store.write(lambda tx: tx.upsert(entity, [record]))
        assert store.read(lambda tx: tx.get_many(entity, [record.id])) == {record.id: record}


def test_list_pages_by_cursor_in_id_order(store: Store) -> None:
    store.write(lambda tx: tx.upsert("person", people(*[f"p{i:03d}" for i in range(25)])))
    seen, after = [], None
    while True:
        page = store.read(lambda tx: tx.list("person", after=after, limit=10, filters={}))
        seen += [p.id for p in page]
        if len(page) < 10:
            break
        after = page[-1].id
    assert seen == [f"p{i:03d}" for i in range(25)]


def test_list_filters(store: Store) -> None:
    seed(store)
    store.write(lambda tx: tx.upsert("employment", [job("bob", "acme", "1999-01-01", "2001-01-01"), job("bob", "globex", "2001-02-01"), job("carol", "acme", "2000-01-01")]))
    store.write(lambda tx: tx.upsert("tie", [tie("alice", "bob"), tie("carol", "dave")]))
    store.write(lambda tx: tx.upsert("interaction", [email("carol", "dave", cc=("bob",)), email("alice", "dave")]))
    store.write(lambda tx: tx.upsert("referral", [referral("carol", "dave", to="bob"), referral("alice", "dave")]))

    def ids(entity: str, **filters: object) -> list[str]:
        return [r.id for r in store.read(lambda tx: tx.list(entity, after=None, limit=100, filters=filters))]

    assert ids("person", internal=True) == ["alice"]
    assert ids("company", status="customer") == ["acme"]
    assert len(ids("employment", person_id="bob")) == 2
    assert len(ids("employment", company_id="acme")) == 2
    assert len(ids("employment", company_id="acme", current=True)) == 1
    assert ids("tie", person_id="bob") == ["tie-alice--bob"]
    assert len(ids("interaction", person_id="bob")) == 1  # copied on one email
    assert len(ids("interaction", person_id="dave")) == 2
    assert len(ids("referral", person_id="bob")) == 1  # bob is who it was referred to


def test_delete_and_existing_ids(store: Store) -> None:
    seed(store)
    store.write(lambda tx: tx.upsert("interaction", [email("carol", "dave")]))
    assert store.read(lambda tx: tx.existing_ids("person", ["alice", "nobody"])) == {"alice"}
    interaction = store.read(lambda tx: tx.list("interaction", after=None, limit=5, filters={}))[0]
    assert store.write(lambda tx: tx.delete("interaction", [interaction.id, "missing"])) == 1
    assert store.read(lambda tx: tx.list("interaction", after=None, limit=5, filters={"person_id": "carol"})) == []
    assert store.write(lambda tx: tx.delete("interaction", [interaction.id])) == 0


def test_failed_write_leaves_nothing(store: Store) -> None:
    def half_then_fail(tx):  # noqa: ANN001, ANN202
        tx.upsert("person", people("eve"))
        raise RuntimeError("boom")

    try:
        store.write(half_then_fail)
    except RuntimeError:
        pass
    assert store.read(lambda tx: tx.count("person")) == 0
    assert store.read(lambda tx: tx.last_change()) == 0


def test_change_feed_is_monotonic_and_names_what_changed(store: Store) -> None:
    start = store.read(lambda tx: tx.last_change())
    store.write(lambda tx: tx.upsert("person", people("alice", "bob")))
    store.write(lambda tx: tx.upsert("person", people("alice", "bob")))  # unchanged: no entry
    store.write(lambda tx: tx.delete("person", ["bob"]))
    changes = store.read(lambda tx: tx.changes_since(start, 100))
    assert [(c.entity, c.op, sorted(c.ids)) for c in changes] == [("person", "upsert", ["alice", "bob"]), ("person", "delete", ["bob"])]
    assert changes[0].seq < changes[1].seq == store.read(lambda tx: tx.last_change())
    assert store.read(lambda tx: tx.changes_since(changes[0].seq, 100)) == changes[1:]


def test_employments_of_and_replace_moves(store: Store) -> None:
    seed(store)
    store.write(lambda tx: tx.upsert("employment", [job("bob", "acme", "1999-01-01", "2001-01-01"), job("bob", "globex", "2001-02-01")]))
    assert len(store.read(lambda tx: tx.employments_of(["bob", "carol"]))) == 2
    learned = datetime(2024, 1, 1, tzinfo=timezone.utc)

    def move(id: str) -> JobMove:
        return JobMove(id=id, person_id="bob", from_company_id="acme", from_title="", from_layer="unknown",
                       to_company_id="globex", to_title="", to_layer="unknown", on="2001-02-01",
                       from_employment_id="e1", to_employment_id="e2",
                       precision="day", learned_at=learned, source="test")

    store.write(lambda tx: tx.replace_moves(["bob"], [move("m1"), move("m2")]))
    store.write(lambda tx: tx.replace_moves(["bob"], [move("m2")]))
    moves = store.read(lambda tx: tx.list("move", after=None, limit=10, filters={"company_id": "acme"}))
    assert [m.id for m in moves] == ["m2"]


def test_scan_returns_raw_documents(store: Store) -> None:
    seed(store)
    rows = store.read(lambda tx: tx.scan("person", after="bob", limit=2))
    assert [r["id"] for r in rows] == ["carol", "dave"]
    assert rows[0]["name"] == "Carol" and rows[0]["internal"] is False


def test_documents(store: Store) -> None:
    store.write(lambda tx: tx.put_doc("keys", "k1", {"id": "k1", "scopes": ["read"]}))
    store.write(lambda tx: tx.put_doc("keys", "k2", {"id": "k2", "scopes": []}))
    store.write(lambda tx: tx.put_doc("other", "k0", {"id": "k0"}))
    assert store.read(lambda tx: tx.get_doc("keys", "k1")) == {"id": "k1", "scopes": ["read"]}
    assert [d["id"] for d in store.read(lambda tx: tx.list_docs("keys", after=None, limit=10))] == ["k1", "k2"]
    assert store.write(lambda tx: tx.delete_doc("keys", "k1")) is True
    assert store.read(lambda tx: tx.get_doc("keys", "k1")) is None
