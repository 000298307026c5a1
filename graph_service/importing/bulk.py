"""Import a file of one entity kind, all or nothing.

A file with any invalid row writes nothing and reports every problem (line, field,
reason). SQLite takes a whole file in one transaction; on Neo4j a valid file is
written in batched transactions after a validating pass. The writes are upserts by
stable id, so a re-run after a crash converges to exactly the graph a clean run
gives, and importing the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from more_itertools import chunked

from graph_service import collector, records
from graph_service.errors import InvalidInput, Problem
from graph_service.importing.rows import detect_format, parse
from graph_service.model import ENTITY_MODELS, Record
from graph_service.store.base import MODELS, Store, UpsertCounts

MAX_PROBLEMS = 1000
"""Problems kept for the report; the count covers all of them."""

Progress = Callable[[int], None]
T = TypeVar("T")


@dataclass
class ImportSummary:
    entity: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    def count(self, counts: UpsertCounts) -> None:
        """Add one batch's counts (its changed ids are not kept: a file may have millions)."""
        self.created += counts.created
        self.updated += counts.updated
        self.unchanged += counts.unchanged


def _read_ahead(batches: Iterator[T]) -> Iterator[T]:
    """The same batches, each next one read in a thread while the caller handles the one before:
    parsing runs beside the store's own work (SQLite's C code, the Neo4j server), which releases the GIL."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-read") as pool:
        ahead = pool.submit(next, batches, None)
        while (batch := ahead.result()) is not None:
            ahead = pool.submit(next, batches, None)
            yield batch


def _batches(model: type[Record], path: Path, fmt: str, size: int) -> Iterator[list[tuple[int, Record | list[Problem]]]]:
    return _read_ahead(chunked(parse(model, path, fmt), size))  # type: ignore[arg-type]


Check = Callable[[list[Record], list[int]], tuple[list[Problem], list[Record], list[Record]]]
Write = Callable[[list[Record], list[Record], list[Record]], UpsertCounts]


def _walk(*, entity: str, path: Path, fmt: str, batch_size: int, check: Check, write: Write | None,
          progress: Progress | None) -> ImportSummary:
    """Read, validate and ``check`` the file batch by batch; while no problem has been found, ``write`` each
    checked batch (rows, placeholder people, placeholder companies). Raises InvalidInput with every problem."""
    summary = ImportSummary(entity)
    problems_seen = 0
    for batch in _batches(MODELS[entity], path, fmt, batch_size):
        good = [(line, item) for line, item in batch if not isinstance(item, list)]
        found = [p for _, item in batch if isinstance(item, list) for p in item]
        if good:
            rows = [record for _, record in good]
            refs, people, companies = check(rows, [line for line, _ in good])
            found += refs
            if write is not None and not found and not problems_seen:
                summary.count(write(rows, people, companies))
        problems_seen += len(found)
        summary.problems += found[: MAX_PROBLEMS - len(summary.problems)]
        summary.rows += len(batch)
        if progress:
            progress(len(batch))
    if problems_seen:
        raise InvalidInput(summary.problems, f"{path.name}: {problems_seen} problem(s), nothing was written")
    return summary


def validate_file(*, store: Store, entity: str, path: Path, fmt: str | None = None, batch_size: int = 10_000,
                  create_placeholders: bool = False, progress: Progress | None = None) -> ImportSummary:
    """Every problem in the file, including unknown references; writes nothing."""

    def check(rows: list[Record], lines: list[int]) -> tuple[list[Problem], list[Record], list[Record]]:
        return store.read(lambda tx: records.check(tx, entity, rows, lines=lines, create_placeholders=create_placeholders))

    return _walk(entity=entity, path=path, fmt=detect_format(path, fmt), batch_size=batch_size, check=check,
                 write=None, progress=progress)


def import_file(*, store: Store, entity: str, path: Path, fmt: str | None = None, batch_size: int = 10_000,
                create_placeholders: bool = False, source: str = "import",
                progress: Progress | None = None, dry_run: bool = False) -> ImportSummary:
    """Validate the whole file and (unless ``dry_run``) write it, all or nothing.

    A store that takes a whole file in one transaction (``imports_in_one_transaction``: SQLite) checks and
    writes each batch in a single pass and rolls everything back at the first problem; the others (Neo4j
    holds a transaction's changes in memory) validate the whole file first, then write it in batched
    transactions of ``batch_size`` rows.
    """
    if entity not in ENTITY_MODELS:
        raise InvalidInput(Problem("kind", f"must be one of {', '.join(ENTITY_MODELS)}"))
    fmt = detect_format(path, fmt)
    with collector.paused():
        if dry_run:
            return validate_file(store=store, entity=entity, path=path, fmt=fmt, batch_size=batch_size,
                                 create_placeholders=create_placeholders, progress=progress)
        if store.imports_in_one_transaction:
            return store.write(lambda tx: _walk(
                entity=entity, path=path, fmt=fmt, batch_size=batch_size, progress=progress,
                check=lambda rows, lines: records.check(tx, entity, rows, lines=lines,
                                                        create_placeholders=create_placeholders),
                write=lambda rows, people, companies: records.apply(tx, entity, rows, people, companies,
                                                                    source=source)))
        summary = validate_file(store=store, entity=entity, path=path, fmt=fmt, batch_size=batch_size,
                                create_placeholders=create_placeholders, progress=progress)
        for batch in _batches(MODELS[entity], path, fmt, batch_size):
            rows = [record for _, record in batch]
            lines = [line for line, _ in batch]
            counts = store.write(lambda tx: records.write_batch(
                tx, entity, rows, source=source, create_placeholders=create_placeholders, lines=lines))  # type: ignore[arg-type]
            summary.count(counts)
            if progress:
                progress(len(batch))
    return summary


def import_records(*, store: Store, entity: str, records_in: Iterable[Record], batch_size: int = 10_000,
                   create_placeholders: bool = False, source: str = "import",
                   progress: Progress | None = None) -> ImportSummary:
    """Write already validated records (a demo, a generator, a connector) in batched transactions."""
    summary = ImportSummary(entity)
    with collector.paused():
        for batch in chunked(records_in, batch_size):
            counts = store.write(lambda tx: records.write_batch(
                tx, entity, batch, source=source, create_placeholders=create_placeholders))
            summary.rows += len(batch)
            summary.count(counts)
            if progress:
                progress(len(batch))
    return summary
