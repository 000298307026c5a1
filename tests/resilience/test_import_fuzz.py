"""Fuzzing every import format: whatever the bytes, an import either succeeds or is refused
with problems naming line and field, and a refused file writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_service.errors import InvalidInput
from graph_service.importing.bulk import import_file
from graph_service.importing.snapshot import apply_snapshot
from graph_service.model import ENTITY_MODELS
from graph_service.store.base import Store

NASTY = st.sampled_from([
    "Robert'); DROP TABLE persons;--", "n}) DETACH DELETE n //", "<script>alert(1)</script>", "=cmd|' /C calc'!A0",
    "王小明", "\u202eevil", "a\x00b", "\"quoted,comma\"", "x" * 70_000, "", " ", "2001-13-45", "1e309", "-1", "NaN",
])
CELL = st.one_of(NASTY, st.text(max_size=40))
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def total(store: Store) -> int:
    return sum(store.read(lambda tx: tx.count(e)) for e in (*ENTITY_MODELS, "move"))


def check(store: Store, path: Path, kind: str) -> None:
    before = total(store)
    try:
        import_file(store=store, entity=kind, path=path)
    except InvalidInput as error:
        assert error.problems and all(p.field and p.reason for p in error.problems)
        assert total(store) == before


@FUZZ
@given(kind=st.sampled_from(sorted(ENTITY_MODELS)), data=st.data())
def test_csv_with_wild_cells(store: Store, tmp_path: Path, kind: str, data: st.DataObject) -> None:
    fields = list(ENTITY_MODELS[kind].model_fields)
    header = data.draw(st.lists(st.sampled_from(fields + ["bogus"]), min_size=1, max_size=len(fields), unique=True))
    rows = data.draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header) + 1), max_size=4))
    path = tmp_path / "fuzz.csv"
    import csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    check(store, path, kind)


@FUZZ
@given(kind=st.sampled_from(sorted(ENTITY_MODELS)), blob=st.binary(max_size=300))
def test_arbitrary_bytes(store: Store, tmp_path: Path, kind: str, blob: bytes) -> None:
    for suffix in ("csv", "jsonl"):
        path = tmp_path / f"fuzz.{suffix}"
        path.write_bytes(blob)
        check(store, path, kind)


@FUZZ
@given(kind=st.sampled_from(sorted(ENTITY_MODELS)),
       rows=st.lists(st.dictionaries(st.sampled_from(["id", "name", "a", "b", "person_id", "company_id", "strength",
                                                      "type", "at", "participants", "emails", "on", "referrer_id",
                                                      "referred_id", "internal"]),
                                     st.one_of(CELL, st.integers(), st.floats(), st.booleans(), st.none(),
                                               st.lists(CELL, max_size=3))), max_size=4))
def test_jsonl_with_wild_values(store: Store, tmp_path: Path, kind: str, rows: list[dict]) -> None:
    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    check(store, path, kind)


@FUZZ
@given(blob=st.binary(max_size=200))
def test_snapshot_bytes(store: Store, tmp_path: Path, blob: bytes) -> None:
    from datetime import date

    path = tmp_path / "snap.csv"
    path.write_bytes(b"person_id,company_id,title\n" + blob)
    before = total(store)
    try:
        apply_snapshot(store=store, path=path, as_of=date(2024, 1, 1))
    except InvalidInput as error:
        assert error.problems
        assert total(store) == before
