"""Use cases on stored records: create or update, get, list, delete; reference checks.

Every write goes through ``save`` so that the same rules hold for the API, the CLI
and bulk imports: references must exist (or placeholders are created on request),
erased persons stay erased, and employment changes re-derive job moves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain
from operator import attrgetter
from typing import Any

from graph_service import moves as job_moves
from graph_service import suppression
from graph_service.errors import Conflict, InvalidInput, NotFound, Problem
from graph_service.model import ChangeType, Company, Person, Record
from graph_service.store.base import FILTERS, MODELS, Store, StoreTx, UpsertCounts

PLACEHOLDER_TAG = "placeholder"


REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "employment": (("person_id", "person"), ("company_id", "company")),
    "tie": (("a", "person"), ("b", "person")),
    "interaction": (("initiator", "person"), ("participants", "person"), ("cc", "person")),
    "referral": (("referrer_id", "person"), ("referred_id", "person"), ("to_id", "person")),
}
"""(field, referenced entity) of each entity; a field holds an id or None, or a list of ids (``LISTS``)."""
LISTS = frozenset({"participants", "cc"})


def references(entity: str, record: Record) -> list[tuple[str, str, str]]:
    """(field, referenced entity, id) for every record this one points at."""
    found = []
    for field, target in REFERENCES.get(entity, ()):
        value = getattr(record, field)
        found += [(field, target, id) for id in (value if field in LISTS else [value] if value else [])]
    return found


def _referenced(entity: str, records: Sequence[Record]) -> dict[str, set[str]]:
    """The ids of the persons and companies these records point at (one pass per field, no per-record code)."""
    wanted: dict[str, set[str]] = {"person": set(), "company": set()}
    for field, target in REFERENCES.get(entity, ()):
        values = map(attrgetter(field), records)
        wanted[target].update(chain.from_iterable(values) if field in LISTS else values)
    wanted["person"].discard(None)  # type: ignore[arg-type]
    return wanted


def _suppressed(tx: StoreTx, entity: str, records: Sequence[Record], absent_persons: set[str]) -> set[str]:
    """Erased persons among the unknown referenced ones and, when importing persons, the records'."""
    if not suppression.any_suppressed(tx):
        return set()
    found = {id for id in absent_persons if suppression.is_suppressed(tx, Person(id=id, name=id))}
    if entity == "person":
        found |= {r.id for r in records if suppression.is_suppressed(tx, r)}  # type: ignore[arg-type]
    return found


def _problems(entity: str, records: Sequence[Record], lines: Sequence[int | None], absent: dict[str, set[str]],
              suppressed: set[str], create_placeholders: bool) -> list[Problem]:
    """One problem per erased person and, unless placeholders are wanted, per unknown reference."""
    problems: list[Problem] = []
    for line, record in zip(lines, records):
        if entity == "person" and record.id in suppressed:
            problems.append(Problem("id", f"person {record.id!r} was erased on request; an admin must lift the "
                                          "suppression before it can be imported again", line))
        for field, target, id in references(entity, record):
            if id in suppressed:
                problems.append(Problem(field, f"person {id!r} was erased on request", line))
            elif id in absent[target] and not create_placeholders:
                problems.append(Problem(field, f"unknown {target} {id!r}", line))
    return problems


def check(tx: StoreTx, entity: str, records: Sequence[Record], *, lines: Sequence[int | None] | None = None,
          create_placeholders: bool = False) -> tuple[list[Problem], list[Record], list[Record]]:
    """Problems with references and suppressions; placeholders to create (persons, companies).

    Set lookups for the whole batch; records are walked one by one only when there is a problem to report.
    """
    referenced = _referenced(entity, records)
    absent = {target: ids - tx.existing_ids(target, sorted(ids)) if ids else set() for target, ids in referenced.items()}
    suppressed = _suppressed(tx, entity, records, absent["person"])
    problems: list[Problem] = []
    if suppressed or (any(absent.values()) and not create_placeholders):
        problems = _problems(entity, records, lines or [None] * len(records), absent, suppressed, create_placeholders)
    if not create_placeholders:
        return problems, [], []
    people = [Person(id=id, name=id, tags=[PLACEHOLDER_TAG]) for id in sorted(absent["person"] - suppressed)]
    companies = [Company(id=id, name=id) for id in sorted(absent["company"])]
    return problems, people, companies


def write_batch(tx: StoreTx, entity: str, records: Sequence[Record], *, source: str,
                create_placeholders: bool = False, lines: Sequence[int | None] | None = None) -> UpsertCounts:
    """Check and upsert one batch inside a write transaction; raises InvalidInput with every problem."""
    problems, people, companies = check(tx, entity, records, lines=lines, create_placeholders=create_placeholders)
    if problems:
        raise InvalidInput(problems)
    return apply(tx, entity, records, people, companies, source=source)


def apply(tx: StoreTx, entity: str, records: Sequence[Record], people: Sequence[Person], companies: Sequence[Company],
          *, source: str) -> UpsertCounts:
    """Upsert a checked batch with the placeholders ``check`` asked for; employment changes re-derive job moves."""
    if people:
        tx.upsert("person", people)
    if companies:
        tx.upsert("company", companies)
    counts = tx.upsert(entity, records)
    if entity == "employment" and counts.changed_ids:
        changed = set(counts.changed_ids)
        persons = sorted({r.person_id for r in records if r.id in changed})  # type: ignore[attr-defined]
        learned = job_moves.rederive(tx, persons, source=source)
        counts.moves_learned = sum(move.type == ChangeType.move for move in learned)
    return counts


def save(*, store: Store, entity: str, records: Sequence[Record], source: str = "api",
         create_placeholders: bool = False) -> UpsertCounts:
    """Create or update records in one transaction."""
    return store.write(lambda tx: write_batch(tx, entity, records, source=source, create_placeholders=create_placeholders))


def get_or_raise(*, store: Store, entity: str, id: str) -> Record:
    found = store.read(lambda tx: tx.get_many(entity, [id]))
    if id not in found:
        raise NotFound(entity, id)
    return found[id]


def list_records(*, store: Store, entity: str, after: str | None, limit: int, filters: Mapping[str, Any]) -> list[Record]:
    unknown = set(filters) - FILTERS[entity]
    if unknown:
        raise InvalidInput([Problem(name, f"not a filter of {entity}") for name in sorted(unknown)])
    return store.read(lambda tx: tx.list(entity, after=after, limit=limit, filters=filters))


def update(*, store: Store, entity: str, id: str, changes: Mapping[str, Any], source: str = "api") -> Record:
    """Apply a partial update; the result is validated as a whole."""

    def run(tx: StoreTx) -> Record:
        found = tx.get_many(entity, [id])
        if id not in found:
            raise NotFound(entity, id)
        if "id" in changes and changes["id"] != id:
            raise InvalidInput(Problem("id", "cannot be changed"))
        merged = {**found[id].model_dump(mode="json"), **changes}
        record = MODELS[entity].model_validate(merged)
        if record.id != id:
            raise InvalidInput(Problem("id", "the change would give the record another id; delete and create instead"))
        write_batch(tx, entity, [record], source=source)
        return record

    return store.write(run)


def delete(*, store: Store, entity: str, id: str) -> None:
    """Delete one record; a person or company still referenced is a conflict (erasure removes everything)."""

    def run(tx: StoreTx) -> None:
        found = tx.get_many(entity, [id])
        if id not in found:
            raise NotFound(entity, id)
        if entity in ("person", "company"):
            users = ("employment", "tie", "interaction", "referral") if entity == "person" else ("employment",)
            key = "person_id" if entity == "person" else "company_id"
            for user in users:
                if tx.list(user, after=None, limit=1, filters={key: id}):
                    raise Conflict(f"{entity} {id!r} is still referenced by {user} records; erase it instead")
        tx.delete(entity, [id])
        if entity == "employment":
            job_moves.rederive(tx, [found[id].person_id], source="api")  # type: ignore[attr-defined]

    store.write(run)
