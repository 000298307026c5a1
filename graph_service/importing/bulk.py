"""Import a file of one entity kind: validate everything first, then write in batches.

A file with any invalid row writes nothing and reports every problem (line, field,
reason). A valid file is written in batched transactions; the writes are upserts by
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


def validate_file(*, store: Store, entity: str, path: Path, fmt: str | None = None, batch_size: int = 10_000,
                  create_placeholders: bool = False, progress: Progress | None = None) -> ImportSummary:
    """First pass: every problem in the file, including unknown references; writes nothing."""
    fmt = detect_format(path, fmt)
    summary = ImportSummary(entity)
    problems_seen = 0
    for batch in _batches(MODELS[entity], path, fmt, batch_size):
        good = [(line, item) for line, item in batch if not isinstance(item, list)]
        found = [p for _, item in batch if isinstance(item, list) for p in item]
        if good:
            refs, _, _ = store.read(
                lambda tx: records.check(tx, entity, [r for _, r in good], lines=[line for line, _ in good],
                                         create_placeholders=create_placeholders)
            )
            found += refs
        problems_seen += len(found)
        summary.problems += found[: MAX_PROBLEMS - len(summary.problems)]
        summary.rows += len(batch)
        if progress:
            progress(len(batch))
    if problems_seen:
        raise InvalidInput(summary.problems, f"{path.name}: {problems_seen} problem(s), nothing was written")
    return summary


def import_file(*, store: Store, entity: str, path: Path, fmt: str | None = None, batch_size: int = 10_000,
                create_placeholders: bool = False, source: str = "import",
                progress: Progress | None = None, dry_run: bool = False) -> ImportSummary:
    """Validate the whole file, then (unless ``dry_run``) write it in batches of ``batch_size``."""
    if entity not in ENTITY_MODELS:
        raise InvalidInput(Problem("kind", f"must be one of {', '.join(ENTITY_MODELS)}"))
    with collector.paused():
        summary = validate_file(store=store, entity=entity, path=path, fmt=fmt, batch_size=batch_size,
                                create_placeholders=create_placeholders, progress=progress)
        if dry_run:
            return summary
        for batch in _batches(MODELS[entity], path, detect_format(path, fmt), batch_size):
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
