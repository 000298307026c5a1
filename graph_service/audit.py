"""The audit log: who read or changed whose data, when, through which route. Append-only.

Entries are buffered in memory and written to the store in batches (at most every
``flush_seconds``), so that auditing does not add a write transaction to every read.
Entry ids sort by time, so the log reads in order.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from datetime import datetime, timezone
from typing import Any

from graph_service.errors import StoreUnavailable
from graph_service import suppression
from graph_service.store.base import Store, StoreTx

COLLECTION = "audit"
log = logging.getLogger(__name__)


class AuditLog:
    def __init__(self, store: Store, flush_seconds: float = 1.0) -> None:
        self.store = store
        self.flush_seconds = flush_seconds
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, *, user: str, key_id: str, method: str, route: str, status: int,
               persons: list[str], params: dict[str, str]) -> None:
        entry = {
            "id": f"{time.time_ns():020d}-{secrets.token_hex(3)}",
            "at": datetime.now(timezone.utc).isoformat(),
            "user": user, "key_id": key_id, "method": method, "route": route, "status": status,
            "persons": persons, "params": params,
        }
        with self._lock:
            self._pending.append(entry)

    def flush(self) -> None:
        with self._lock:
            entries, self._pending = self._pending, []
        if not entries:
            return
        try:
            self.store.write(lambda tx: _append(tx, entries))
        except StoreUnavailable:
            with self._lock:  # keep them for the next flush, in order
                self._pending[:0] = entries
            raise

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(self.flush_seconds):
                try:
                    self.flush()
                except StoreUnavailable:
                    pass  # entries stay queued until the store is back

        self._thread = threading.Thread(target=loop, name="audit-flush", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        try:
            self.flush()
        except StoreUnavailable:
            log.warning("%d audit entries could not be written: the store is unavailable", len(self._pending))


def _append(tx: StoreTx, entries: list[dict[str, Any]]) -> None:
    """Write entries; persons erased meanwhile (in any process) appear only by their erased label."""
    if suppression.any_suppressed(tx):
        persons = {p for e in entries for p in e["persons"]}
        erased = {p for p in persons if tx.get_doc(suppression.COLLECTION, suppression.keys_of(p, [])[0])}
        for entry in entries:
            if erased & set(entry["persons"]):
                entry["persons"] = [suppression.erased_label(p) if p in erased else p for p in entry["persons"]]
                entry["params"] = {}
    for entry in entries:
        tx.put_doc(COLLECTION, entry["id"], entry)


def scrub(tx: StoreTx, person_id: str) -> None:
    """Replace a person's id by their erased label in every stored entry."""
    after = None
    while True:
        page = tx.list_docs(COLLECTION, after=after, limit=1000)
        for entry in page:
            if person_id in entry["persons"]:
                persons = [suppression.erased_label(p) if p == person_id else p for p in entry["persons"]]
                tx.put_doc(COLLECTION, entry["id"], {**entry, "persons": persons, "params": {}})
        if len(page) < 1000:
            return
        after = page[-1]["id"]


def query(*, store: Store, person_id: str | None = None, user: str | None = None, since: datetime | None = None,
          limit: int = 100, after: str | None = None) -> list[dict[str, Any]]:
    """Entries in time order, filtered; ``after`` is the last id seen."""
    found: list[dict[str, Any]] = []
    start = after or (f"{int(since.timestamp() * 1e9):020d}" if since else None)
    while len(found) < limit:
        page = store.read(lambda tx: tx.list_docs(COLLECTION, after=start, limit=1000))
        found += [e for e in page if (person_id is None or person_id in e["persons"]) and (user is None or e["user"] == user)]
        if len(page) < 1000:
            break
        start = page[-1]["id"]
    return found[:limit]
