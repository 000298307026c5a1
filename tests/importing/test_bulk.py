"""Bulk import on both stores: all-or-nothing per file, idempotent, every problem reported."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from graph_service.errors import InvalidInput
from graph_service.importing.bulk import import_file
from graph_service.settings import Settings
from graph_service.store import open_store
from graph_service.store.base import Store


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def counts(store: Store) -> dict[str, int]:
    return {e: store.read(lambda tx: tx.count(e)) for e in ("person", "company", "employment", "tie", "move")}


PEOPLE = "id,name,emails,internal,tags\nalice,Alice,alice@x.com;a@y.com,true,\nbob,Bob,,false,vip\ncarol,Carol 王,,,\n"


def test_valid_file_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "people.csv", PEOPLE)
    first = import_file(store=store, entity="person", path=path)
    assert (first.rows, first.created, first.updated, first.unchanged) == (3, 3, 0, 0)
    before = counts(store)
    second = import_file(store=store, entity="person", path=path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert counts(store) == before
    alice = store.read(lambda tx: tx.get_many("person", ["alice"]))["alice"]
    assert alice.emails == ["alice@x.com", "a@y.com"] and alice.internal is True


def test_invalid_file_writes_nothing_and_lists_every_problem(store: Store, tmp_path: Path) -> None:
    import_file(store=store, entity="person", path=write(tmp_path / "people.csv", PEOPLE))
    ties = write(tmp_path / "ties.csv", "a,b,strength,kind\nalice,bob,0.5,friend\nalice,alice,0.5,friend\n"
                 "alice,zed,0.4,friend\nbob,carol,1.5,friend\nbob,carol,0.3,enemy\n")
    with pytest.raises(InvalidInput) as caught:
        import_file(store=store, entity="tie", path=ties)
    found = {(p.line, p.field) for p in caught.value.problems}
    assert found == {(3, "b"), (4, "b"), (5, "strength"), (6, "kind")}
    assert "unknown person 'zed'" in str(caught.value.problems)
    assert store.read(lambda tx: tx.count("tie")) == 0


def test_placeholders_on_request(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "jobs.jsonl", json.dumps({"person_id": "dan", "company_id": "acme", "title": "CEO",
                                                       "start": "2020-01-01"}) + "\n")
    with pytest.raises(InvalidInput):
        import_file(store=store, entity="employment", path=path)
    summary = import_file(store=store, entity="employment", path=path, create_placeholders=True)
    assert summary.created == 1
    dan = store.read(lambda tx: tx.get_many("person", ["dan"]))["dan"]
    assert dan.tags == ["placeholder"]
    assert store.read(lambda tx: tx.existing_ids("company", ["acme"])) == {"acme"}


def test_unreadable_files_are_refused(store: Store, tmp_path: Path) -> None:
    latin1 = tmp_path / "people.csv"
    latin1.write_bytes("id,name\nx,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match="UTF-8"):
        import_file(store=store, entity="person", path=latin1)
    broken = write(tmp_path / "people.jsonl", '{"id": "x", "name": "X"}\n{"id": \n[1]\n')
    with pytest.raises(InvalidInput) as caught:
        import_file(store=store, entity="person", path=broken)
    assert [p.line for p in caught.value.problems] == [2, 3]
    with pytest.raises(InvalidInput, match="kind"):
        import_file(store=store, entity="move", path=broken)
    assert store.read(lambda tx: tx.count("person")) == 0


def test_batches_commit_in_order_and_injection_strings_stay_data(store: Store, tmp_path: Path) -> None:
    names = ["Robert'); DROP TABLE persons;--", "n.name}) DETACH DELETE n //", "<script>alert(1)</script>"]
    rows = [{"id": f"p{i}", "name": names[i % 3]} for i in range(25)]
    path = write(tmp_path / "people.jsonl", "\n".join(json.dumps(r) for r in rows))
    summary = import_file(store=store, entity="person", path=path, batch_size=7)
    assert summary.created == 25
    stored = store.read(lambda tx: tx.get_many("person", ["p0", "p1", "p2"]))
    assert [stored[f"p{i}"].name for i in range(3)] == names


def test_a_problem_in_the_last_batch_leaves_the_batches_before_unwritten(store: Store, tmp_path: Path) -> None:
    rows = [json.dumps({"id": f"p{i}", "name": f"Person {i}"}) for i in range(20)]
    rows += ['{"id": "p20", "name": ""}', '{"id": "p21"}']
    path = write(tmp_path / "people.jsonl", "\n".join(rows) + "\n")
    feed_before = store.read(lambda tx: tx.last_change())
    with pytest.raises(InvalidInput) as caught:
        import_file(store=store, entity="person", path=path, batch_size=7)
    assert [(p.line, p.field) for p in caught.value.problems] == [(21, "name"), (22, "name")]
    assert store.read(lambda tx: tx.count("person")) == 0
    assert store.read(lambda tx: tx.last_change()) == feed_before


def test_sqlite_readers_see_an_import_only_once_it_is_complete(tmp_path: Path) -> None:
    store = open_store(Settings(store=f"sqlite:///{tmp_path / 'graph.db'}", env="test"))
    path = write(tmp_path / "people.jsonl", "\n".join(json.dumps({"id": f"p{i}", "name": "P"}) for i in range(30)))
    seen_by_a_reader: list[int] = []
    with ThreadPoolExecutor(max_workers=1) as reader:  # another thread: another connection

        def progress(rows: int) -> None:
            seen_by_a_reader.append(reader.submit(store.read, lambda tx: tx.count("person")).result())

        summary = import_file(store=store, entity="person", path=path, batch_size=10, progress=progress)
        after = reader.submit(store.read, lambda tx: tx.count("person")).result()
    store.close()
    assert summary.created == 30
    assert seen_by_a_reader == [0, 0, 0] and after == 30
