"""Concurrent writers on the same people and ties leave a consistent graph on both stores:
no duplicate nodes, no lost updates, and the projection agrees with the store afterwards."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

from graph_service import records
from graph_service.importing.bulk import import_file
from graph_service.projection import Projection
from graph_service.store.base import Store, scan_all

PEOPLE = 400


def files(folder: Path) -> tuple[Path, Path, Path, Path]:
    persons = folder / "persons.jsonl"
    persons.write_text("\n".join(json.dumps({"id": f"p{i:04d}", "name": f"P{i}"}) for i in range(PEOPLE)))
    again = folder / "persons-again.jsonl"  # every person but p0000, whom the API patches meanwhile
    again.write_text("\n".join(json.dumps({"id": f"p{i:04d}", "name": f"P{i}"}) for i in range(1, PEOPLE)))
    ties = []
    for shift, name in ((1, "ties-a.jsonl"), (2, "ties-b.jsonl")):
        path = folder / name
        path.write_text("\n".join(json.dumps({"a": f"p{i:04d}", "b": f"p{(i + shift) % PEOPLE:04d}", "strength": 0.5})
                                  for i in range(PEOPLE)))
        ties.append(path)
    return persons, again, ties[0], ties[1]


def run_together(*jobs: Callable[[], None]) -> None:
    errors: list[BaseException] = []

    def guarded(job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=guarded, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_two_imports_and_api_writes_at_once(store: Store, tmp_path: Path) -> None:
    persons, again, ties_a, ties_b = files(tmp_path)
    import_file(store=store, entity="person", path=persons)
    projection = Projection(store)

    def patch_names() -> None:
        for i in range(30):
            records.update(store=store, entity="person", id="p0000", changes={"name": f"Renamed {i}"})

    def patch_emails() -> None:
        for i in range(30):
            records.update(store=store, entity="person", id="p0000", changes={"emails": [f"p{i}@example.com"]})

    run_together(
        lambda: import_file(store=store, entity="tie", path=ties_a, batch_size=50),
        lambda: import_file(store=store, entity="tie", path=ties_b, batch_size=50),
        lambda: import_file(store=store, entity="person", path=again, batch_size=50),
        patch_names,
        patch_emails,
    )
    assert store.read(lambda tx: tx.count("person")) == PEOPLE
    tie_ids = [t["id"] for t in scan_all(store, "tie")]
    assert len(tie_ids) == len(set(tie_ids)) == 2 * PEOPLE
    pairs = {(t["a"], t["b"]) for t in scan_all(store, "tie")}
    assert len(pairs) == 2 * PEOPLE
    (p0,) = store.read(lambda tx: tx.get_many("person", ["p0000"])).values()
    # two read-modify-write streams on one person: neither may lose the other's last write
    assert (p0.name, p0.emails) == ("Renamed 29", ["p29@example.com"])  # type: ignore[attr-defined]

    with projection.current() as followed:
        fresh = Projection(store).graph
        assert set(followed.nodes) == set(fresh.nodes)
        assert {frozenset(e) for e in followed.edges} == {frozenset(e) for e in fresh.edges}
        assert all(abs(followed.edges[e]["strength"] - fresh.edges[e]["strength"]) < 1e-9 for e in fresh.edges)
