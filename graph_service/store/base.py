"""The store interface: one unit-of-work API that both backends implement.

Service code runs a function inside a read or write transaction::

    store.write(lambda tx: tx.upsert("person", people))

A write function either commits as a whole or not at all. Every committed change
to an entity is appended to the change feed (a monotonic sequence kept in the
store), which projections and caches in every process follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from graph_service.model import ENTITY_MODELS, JobMove, Record

T = TypeVar("T")

MODELS: dict[str, type[Record]] = {**ENTITY_MODELS, "move": JobMove}
"""Every stored kind of record, by entity name."""

FILTERS: dict[str, frozenset[str]] = {
    "person": frozenset({"internal"}),
    "company": frozenset({"status"}),
    "employment": frozenset({"person_id", "company_id", "current"}),
    "tie": frozenset({"person_id"}),
    "interaction": frozenset({"person_id"}),
    "referral": frozenset({"person_id"}),
    "move": frozenset({"person_id", "company_id"}),
}
"""Filters each entity's list accepts. ``person_id`` matches any role the person plays."""


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_ids: list[str] = field(default_factory=list)
    moves_learned: int = 0

    def add(self, other: "UpsertCounts") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.moves_learned += other.moves_learned
        self.changed_ids.extend(other.changed_ids)


@dataclass(frozen=True)
class Change:
    """One committed write: which records of which entity were upserted or deleted."""

    seq: int
    entity: str
    op: str  # "upsert" | "delete" | "erase" (ids scrubbed: rebuild)
    ids: list[str]
    at: datetime


class StoreTx(Protocol):
    """Operations available inside one transaction."""

    def upsert(self, entity: str, records: Sequence[Record]) -> UpsertCounts:
        """Create or replace records by id; records whose content is unchanged are not rewritten."""

    def get_many(self, entity: str, ids: Sequence[str]) -> dict[str, Record]: ...

    def existing_ids(self, entity: str, ids: Sequence[str]) -> set[str]: ...

    def list(self, entity: str, *, after: str | None, limit: int, filters: Mapping[str, Any]) -> list[Record]:
        """Records ordered by id, starting after the cursor ``after``."""

    def count(self, entity: str) -> int: ...

    def delete(self, entity: str, ids: Sequence[str]) -> int: ...

    def employments_of(self, person_ids: Sequence[str]) -> list[Record]:
        """Every employment of these persons, current or past."""

    def employment_docs_of(self, person_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The same as :meth:`employments_of`, as the stored JSON (unvalidated: for scans that mostly skip them)."""

    def replace_moves(self, person_ids: Sequence[str], moves: Sequence[JobMove]) -> None:
        """Make ``moves`` the complete set of job moves of these persons."""

    # neighbourhoods, for bounded projections (``graph_service.bounded``): raw JSON-mode records
    def neighbourhood(self, person_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """Every ``tie``, ``interaction``, ``referral`` and ``employment`` naming any of these persons, once each."""

    def degrees(self, person_ids: Sequence[str]) -> dict[str, int]:
        """How many ties, interactions and referrals name each of these (stored) persons."""

    def employments_at(self, groups: Mapping[str, Sequence[str] | None], *, open_only: bool = False,
                       within: tuple[date, date] | None = None) -> list[dict[str, Any]]:
        """Employments at companies, current or past (``open_only``: without an end): per company id, those in the
        given departments, or all (None); ``within`` (first, last): only those started by ``last`` (or without a
        start) and not ended before ``first``."""

    def company_sizes(self, company_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """``(persons, employments)`` ever at each of these (stored) companies."""

    def raw(self, entity: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        """The stored JSON of records by id (those stored), unvalidated."""

    def scan(self, entity: str, *, after: str | None, limit: int) -> list[dict[str, Any]]:
        """Raw JSON-mode records ordered by id, for projections and exports (no validation)."""

    def erase_from_changes(self, ids: Sequence[str]) -> None:
        """Take these record ids out of every change-feed entry, then log one ``erase`` change without
        ids: whoever follows the feed rebuilds from the store (see ``privacy.erase_person``)."""

    def last_change(self) -> int: ...

    def changes_since(self, seq: int, limit: int) -> list[Change]: ...

    def put_doc(self, collection: str, id: str, doc: Mapping[str, Any]) -> None:
        """Service metadata (keys, users, webhooks, audit): JSON documents by collection and id."""

    def get_doc(self, collection: str, id: str) -> dict[str, Any] | None: ...

    def list_docs(self, collection: str, *, after: str | None, limit: int) -> list[dict[str, Any]]: ...

    def delete_doc(self, collection: str, id: str) -> bool: ...


class Store(Protocol):
    """A backend: SQLite (embedded) or Neo4j.

    Inside a causal scope (``graph_service.bookmarks.following``) ``read`` and ``write``
    follow the client's bookmark (Neo4j: the session starts from its bookmarks) and each
    committed ``write`` records its bookmark in the scope: the feed's seq at commit and,
    on Neo4j, the transaction's bookmarks.
    """

    url: str
    imports_in_one_transaction: bool
    """Whether a whole import file may be one write transaction (SQLite spills it to its log; Neo4j holds a
    transaction's changes in memory, so its imports are validated first and then written in batches)."""

    def init_schema(self) -> None: ...

    def read(self, fn: Callable[[StoreTx], T]) -> T: ...

    def write(self, fn: Callable[[StoreTx], T]) -> T: ...

    def ping(self) -> None:
        """Raise StoreUnavailable when the store cannot answer."""

    def close(self) -> None: ...


def scan_all(store: Store, entity: str, page: int = 10_000) -> Iterator[dict[str, Any]]:
    """Every raw record of an entity, page by page, each page its own read transaction."""
    after: str | None = None
    while True:
        rows = store.read(lambda tx: tx.scan(entity, after=after, limit=page))
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1]["id"]
