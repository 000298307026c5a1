"""Employment snapshots: "as of DATE these people work at these companies, with these titles".

The snapshot is diffed against what is known, per person:
- listed at a company where an employment with the same title covers the date: nothing to do;
- listed with a new title at the same company: the old role ends and a new one starts (a role change);
- listed at a company where no employment covers the date: a new employment starts on that
  date, and the person's open primary employments elsewhere end on it (a job move);
- not listed at a company of the snapshot where they held an open employment: it ends.
A person for whom something dated after the snapshot is known is left alone: a late,
older snapshot never undoes newer knowledge. The same snapshot twice changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from graph_service import moves as job_moves
from graph_service import records
from graph_service.errors import InvalidInput, Problem
from graph_service.importing.bulk import MAX_PROBLEMS
from graph_service.importing.rows import detect_format, parse
from graph_service.model import DatePrecision, DecisionLayer, Employment, Id, ShortText
from graph_service.store.base import StoreTx, Store


class SnapshotRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    person_id: Id
    company_id: Id
    title: ShortText = ""
    department: ShortText = ""
    decision_layer: DecisionLayer | None = None
    seniority: int | None = None


@dataclass
class SnapshotSummary:
    rows: int = 0
    opened: int = 0
    closed: int = 0
    role_changes: int = 0
    moves: int = 0
    stale_persons: list[str] = field(default_factory=list)


def _newer_knowledge(held: list[dict[str, Any]], day: str) -> bool:
    """Whether a stored employment (JSON: ISO days compare as text) starts or ends after ``day``."""
    return any((e.get("start") or "") > day or (e.get("end") or "") > day for e in held)


def _unchanged(rows: list[SnapshotRow], held: list[dict[str, Any]], day: str) -> bool:
    """Every row is an employment the person holds on ``day``, with the same title (most rows of a snapshot)."""
    return all(any(e["company_id"] == row.company_id and e.get("title", "") == row.title
                   and (e.get("start") or "") <= day and (e.get("end") or "9999") > day for e in held)
               for row in rows)


def _diff_person(rows: list[SnapshotRow], known: list[Employment], as_of: date, precision: DatePrecision,
                 source: str, summary: SnapshotSummary) -> list[Employment]:
    """Employments to write for one listed person."""
    changed: dict[str, Employment] = {}
    listed = {row.company_id for row in rows}
    for row in rows:
        here = [e for e in known if e.company_id == row.company_id and e.current_on(as_of)]
        if any(e.title == row.title for e in here):
            continue
        for old in here:
            changed[old.id] = old.model_copy(update={"end": as_of})
            summary.role_changes += 1
        new = Employment(person_id=row.person_id, company_id=row.company_id, title=row.title,
                         department=row.department, decision_layer=row.decision_layer, seniority=row.seniority,
                         start=as_of, precision=precision, source=None if source == "snapshot" else source)
        changed[new.id] = new
        summary.opened += 1
        if not here:
            for old in known:
                if old.company_id not in listed and old.end is None and not job_moves.is_side_position(old) \
                        and (old.start is None or old.start < as_of):
                    changed[old.id] = old.model_copy(update={"end": as_of})
                    summary.closed += 1
    return list(changed.values())


def _apply_batch(tx: StoreTx, rows: list[SnapshotRow], as_of: date, precision: DatePrecision, source: str,
                 summary: SnapshotSummary) -> None:
    by_person: dict[str, list[SnapshotRow]] = defaultdict(list)
    for row in rows:
        by_person[row.person_id].append(row)
    known: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in tx.employment_docs_of(sorted(by_person)):
        known[doc["person_id"]].append(doc)
    day = as_of.isoformat()
    writes = []
    for person, listed in by_person.items():
        held = known[person]
        if _newer_knowledge(held, day):
            summary.stale_persons.append(person)
            continue
        if not _unchanged(listed, held, day):
            employments = [Employment.model_validate(doc) for doc in held]
            writes += _diff_person(listed, employments, as_of, precision, source, summary)
    if writes:
        summary.moves += records.write_batch(tx, "employment", writes, source=source).moves_learned


def _close_absent(tx: StoreTx, company_id: str, present: set[str], as_of: date, summary: SnapshotSummary) -> None:
    """End the open employments at the company of everyone the snapshot leaves out (read raw: most are listed)."""
    day = as_of.isoformat()
    closing = [Employment.model_validate(doc).model_copy(update={"end": as_of})
               for doc in tx.employments_at({company_id: None}, open_only=True)
               if doc["person_id"] not in present and (doc.get("start") or "") < day]
    if closing:
        summary.closed += len(closing)
        records.write_batch(tx, "employment", closing, source="snapshot")


def _rows(path: Path, fmt: str) -> Iterator[tuple[int, SnapshotRow | list[Problem]]]:
    yield from parse(SnapshotRow, path, fmt)  # type: ignore[misc]


def apply_snapshot(*, store: Store, path: Path, as_of: date, precision: DatePrecision = DatePrecision.day,
                   fmt: str | None = None, source: str = "snapshot", batch_size: int = 10_000) -> SnapshotSummary:
    """Diff a snapshot file against the store; validates the whole file before writing anything."""
    fmt = detect_format(path, fmt)
    problems: list[Problem] = []
    present: dict[str, set[str]] = defaultdict(set)
    rows: list[SnapshotRow] = []
    for _, item in _rows(path, fmt):
        if isinstance(item, list):
            problems += item
            continue
        rows.append(item)
        present[item.company_id].add(item.person_id)
    for company_ids in [sorted(present)]:
        known = store.read(lambda tx: tx.existing_ids("company", company_ids))
        problems += [Problem("company_id", f"unknown company {id!r}") for id in company_ids if id not in known]
    people = sorted(set().union(*present.values())) if present else []
    known_people = store.read(lambda tx: tx.existing_ids("person", people))
    problems += [Problem("person_id", f"unknown person {id!r}") for id in people if id not in known_people]
    if problems:
        raise InvalidInput(problems[:MAX_PROBLEMS], f"{path.name}: {len(problems)} problem(s), nothing was written")

    summary = SnapshotSummary(rows=len(rows))
    for start in range(0, len(rows), batch_size):
        batch = rows[start:start + batch_size]
        store.write(lambda tx: _apply_batch(tx, batch, as_of, precision, source, summary))
    for company_id, persons in present.items():
        store.write(lambda tx: _close_absent(tx, company_id, persons, as_of, summary))
    return summary
