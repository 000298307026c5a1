"""Embedded store on SQLite (stdlib): WAL, one connection per thread, immediate write transactions."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timezone
from functools import cache
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, TypeVar

import orjson

from graph_service import bookmarks
from graph_service.errors import StoreUnavailable
from graph_service.model import JobMove, Record
from graph_service.store.base import MODELS, Change, UpsertCounts

T = TypeVar("T")

# entity -> (table, indexed columns taken from the record)
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "person": ("persons", ("internal",)),
    "company": ("companies", ("status",)),
    "employment": ("employments", ("person_id", "company_id", "start", "end")),
    "tie": ("ties", ("a", "b")),
    "interaction": ("interactions", ("at",)),
    "referral": ("referrals", ("referrer_id", "referred_id", "to_id")),
    "move": ("moves", ("person_id", "from_company_id", "to_company_id", "on")),
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS persons (id TEXT PRIMARY KEY, fp TEXT NOT NULL, doc TEXT NOT NULL, internal INTEGER);
CREATE INDEX IF NOT EXISTS persons_internal ON persons(internal, id);
CREATE TABLE IF NOT EXISTS companies (id TEXT PRIMARY KEY, fp TEXT NOT NULL, doc TEXT NOT NULL, status TEXT);
CREATE TABLE IF NOT EXISTS employments (id TEXT PRIMARY KEY, fp TEXT NOT NULL, doc TEXT NOT NULL,
    person_id TEXT NOT NULL, company_id TEXT NOT NULL, start TEXT, "end" TEXT);
CREATE INDEX IF NOT EXISTS employments_person ON employments(person_id);
DROP INDEX IF EXISTS employments_company;
CREATE INDEX IF NOT EXISTS employments_company_end_id ON employments(company_id, "end", id);
CREATE TABLE IF NOT EXISTS ties (id TEXT PRIMARY KEY, fp TEXT NOT NULL, doc TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ties_a ON ties(a);
CREATE INDEX IF NOT EXISTS ties_b ON ties(b);
CREATE TABLE IF NOT EXISTS interactions (id TEXT PRIMARY KEY, fp TEXT NOT NULL, doc TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS interaction_persons (interaction_id TEXT NOT NULL, person_id TEXT NOT NULL,
    PRIMARY KEY (person_id, interaction_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS interaction_persons_interaction ON interaction_persons(interaction_id);
CREATE TABLE IF NOT EXISTS referrals (id TEXT PRIMARY KEY, fp TEXT NOT NULL, doc TEXT NOT NULL,
    referrer_id TEXT NOT NULL, referred_id TEXT NOT NULL, to_id TEXT);
CREATE INDEX IF NOT EXISTS referrals_referrer ON referrals(referrer_id);
CREATE INDEX IF NOT EXISTS referrals_referred ON referrals(referred_id);
CREATE INDEX IF NOT EXISTS referrals_to ON referrals(to_id);
CREATE TABLE IF NOT EXISTS moves (id TEXT PRIMARY KEY, fp TEXT NOT NULL, doc TEXT NOT NULL,
    person_id TEXT NOT NULL, from_company_id TEXT NOT NULL, to_company_id TEXT NOT NULL, "on" TEXT);
CREATE INDEX IF NOT EXISTS moves_person ON moves(person_id);
CREATE INDEX IF NOT EXISTS moves_from ON moves(from_company_id);
CREATE INDEX IF NOT EXISTS moves_to ON moves(to_company_id);
CREATE INDEX IF NOT EXISTS moves_on ON moves("on");
CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL,
    op TEXT NOT NULL, ids TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (collection TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (collection, id)) WITHOUT ROWID;
"""

CHUNK = 900  # stays under SQLite's bound-parameter limit
CACHE_KIB = 4 * 1024  # page cache of a connection (one per thread: SGRAPH_WORKER_THREADS of them in an API worker)
BULK_CACHE_KIB = 64 * 1024  # a connection that checks or writes a bulk batch: holds the id indexes of a large import
BULK_ROWS = 1000
WAL_CHECKPOINT_PAGES = 10_000  # ~40 MB of log between checkpoints: an import of any size checkpoints its own log at commit


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def _column(value: Any) -> Any:
    """An indexed column's value as SQLite stores it (dates as ISO text, like the documents)."""
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _marks(n: int) -> str:
    return ",".join("?" * n)


@cache
def _upsert_sql(table: str, columns: tuple[str, ...]) -> str:
    """Insert rows ``(fp, doc, id, *columns)``, or update the stored row with the same id in place."""
    names = ("fp", "doc", "id", *columns)
    quoted = ", ".join(f'"{c}"' for c in names)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in names if c != "id")
    return f"INSERT INTO {table} ({quoted}) VALUES ({_marks(len(names))}) ON CONFLICT (id) DO UPDATE SET {updates}"


class SqliteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.seq: int | None = None  # the last change this transaction appended to the feed
        self.bulk = False  # the connection's page cache was raised for a bulk batch

    def end(self) -> None:
        """After the transaction: a connection raised for a bulk batch gets its usual page cache back."""
        if self.bulk:
            self.conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")

    # -- entities ---------------------------------------------------------------
    def upsert(self, entity: str, records: Sequence[Record]) -> UpsertCounts:
        table, columns = TABLES[entity]
        by_id = {record.id: record for record in records}
        known = self._fingerprints(table, list(by_id))
        counts = UpsertCounts()
        rows = []
        values = attrgetter("id", *columns)
        for id, record in by_id.items():
            text, fp = record.to_json()
            before = known.get(id)
            if before == fp:
                counts.unchanged += 1
                continue
            if before is None:
                counts.created += 1
            else:
                counts.updated += 1
            counts.changed_ids.append(id)
            rows.append((fp, text, *map(_column, values(record))))
        if rows:
            rows.sort(key=itemgetter(2))  # in id order: the id index is written page after page, not at random
            self.conn.executemany(_upsert_sql(table, columns), rows)
            if entity == "interaction":
                self._index_interaction_persons([by_id[id] for id in counts.changed_ids])
            self._log(entity, "upsert", counts.changed_ids)
        return counts

    def _index_interaction_persons(self, interactions: Sequence[Record]) -> None:
        ids = [i.id for i in interactions]
        for chunk in _chunks(ids):
            self.conn.execute(f"DELETE FROM interaction_persons WHERE interaction_id IN ({_marks(len(chunk))})", chunk)
        self.conn.executemany(
            "INSERT INTO interaction_persons (interaction_id, person_id) VALUES (?, ?)",
            [(i.id, p) for i in interactions for p in i.persons()],
        )

    def _among(self, table: str, columns: str, ids: Sequence[str]) -> sqlite3.Cursor:
        """``columns`` of the stored rows among ``ids``, in one statement (the ids go as one JSON array); a bulk
        batch gets the larger page cache until the transaction ends."""
        if len(ids) >= BULK_ROWS and not self.bulk:
            self.conn.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
            self.bulk = True
        sql = f"SELECT {columns} FROM {table} WHERE id IN (SELECT value FROM json_each(?))"
        return self.conn.execute(sql, (orjson.dumps(list(ids)),))

    def _fingerprints(self, table: str, ids: Sequence[str]) -> dict[str, str]:
        return dict(self._among(table, "id, fp", ids))

    def get_many(self, entity: str, ids: Sequence[str]) -> dict[str, Record]:
        table, _ = TABLES[entity]
        model = MODELS[entity]
        found: dict[str, Record] = {}
        for chunk in _chunks(list(ids)):
            for id, doc in self.conn.execute(f"SELECT id, doc FROM {table} WHERE id IN ({_marks(len(chunk))})", chunk):
                found[id] = model.model_validate_json(doc)
        return found

    def existing_ids(self, entity: str, ids: Sequence[str]) -> set[str]:
        return {id for (id,) in self._among(TABLES[entity][0], "id", ids)}  # the id index alone, no table rows

    def list(self, entity: str, *, after: str | None, limit: int, filters: Mapping[str, Any]) -> list[Record]:
        table, _ = TABLES[entity]
        where, params = self._where(entity, filters)
        if after is not None:
            where.append("id > ?")
            params.append(after)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT doc FROM {table} {clause} ORDER BY id LIMIT ?"
        model = MODELS[entity]
        return [model.model_validate_json(doc) for (doc,) in self.conn.execute(sql, [*params, limit])]

    @staticmethod
    def _where(entity: str, filters: Mapping[str, Any]) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        for name, value in filters.items():
            if value is None:
                continue
            if name == "person_id":
                clause = {
                    "employment": "person_id = ?",
                    "tie": "(a = ? OR b = ?)",
                    "interaction": "id IN (SELECT interaction_id FROM interaction_persons WHERE person_id = ?)",
                    "referral": "(referrer_id = ? OR referred_id = ? OR to_id = ?)",
                    "move": "person_id = ?",
                }[entity]
                params.extend([value] * clause.count("?"))
            elif name == "company_id":
                clause = "company_id = ?" if entity == "employment" else "(from_company_id = ? OR to_company_id = ?)"
                params.extend([value] * clause.count("?"))
            elif name == "current":
                clause = '"end" IS NULL' if value else '"end" IS NOT NULL'
            else:
                clause = f'"{name}" = ?'
                params.append(value)
            where.append(clause)
        return where, params

    def count(self, entity: str) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {TABLES[entity][0]}").fetchone()[0]

    def delete(self, entity: str, ids: Sequence[str]) -> int:
        table, _ = TABLES[entity]
        deleted: list[str] = []
        for chunk in _chunks(list(ids)):
            deleted += [r[0] for r in self.conn.execute(f"DELETE FROM {table} WHERE id IN ({_marks(len(chunk))}) RETURNING id", chunk)]
            if entity == "interaction":
                self.conn.execute(f"DELETE FROM interaction_persons WHERE interaction_id IN ({_marks(len(chunk))})", chunk)
        if deleted:
            self._log(entity, "delete", deleted)
        return len(deleted)

    def employments_of(self, person_ids: Sequence[str]) -> list[Record]:
        model = MODELS["employment"]
        return [model.model_validate(doc) for doc in self.employment_docs_of(person_ids)]

    def employment_docs_of(self, person_ids: Sequence[str]) -> list[dict[str, Any]]:
        found = []
        for chunk in _chunks(list(dict.fromkeys(person_ids))):
            sql = f"SELECT doc FROM employments WHERE person_id IN ({_marks(len(chunk))}) ORDER BY id"
            found += [orjson.loads(doc) for (doc,) in self.conn.execute(sql, chunk)]
        return found

    # -- neighbourhoods (bounded projections) --------------------------------------
    _AROUND = {
        "tie": "SELECT id, doc FROM ties WHERE a IN ({0}) OR b IN ({0})",
        "interaction": "SELECT id, doc FROM interactions WHERE id IN "
                       "(SELECT interaction_id FROM interaction_persons WHERE person_id IN ({0}))",
        "referral": "SELECT id, doc FROM referrals WHERE referrer_id IN ({0}) OR referred_id IN ({0}) OR to_id IN ({0})",
        "employment": "SELECT id, doc FROM employments WHERE person_id IN ({0})",
    }

    def neighbourhood(self, person_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, dict[str, str]] = {kind: {} for kind in self._AROUND}
        ids, step = list(dict.fromkeys(person_ids)), CHUNK // 3  # a statement names the ids up to three times
        for chunk in (ids[i:i + step] for i in range(0, len(ids), step)):
            marks = _marks(len(chunk))
            for kind, sql in self._AROUND.items():
                found[kind].update(self.conn.execute(sql.format(marks), list(chunk) * sql.count("{0}")))
        return {kind: [orjson.loads(doc) for doc in docs.values()] for kind, docs in found.items()}

    def degrees(self, person_ids: Sequence[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(person_ids))
        degrees: dict[str, int] = {}
        for chunk in _chunks(ids):
            marks = _marks(len(chunk))
            degrees.update((id, 0) for (id,) in self.conn.execute(f"SELECT id FROM persons WHERE id IN ({marks})", chunk))
            for sql in (f"SELECT a, count(*) FROM ties WHERE a IN ({marks}) GROUP BY a",
                        f"SELECT b, count(*) FROM ties WHERE b IN ({marks}) GROUP BY b",
                        f"SELECT person_id, count(*) FROM interaction_persons WHERE person_id IN ({marks}) GROUP BY person_id",
                        *(f"SELECT {column}, count(*) FROM referrals WHERE {column} IN ({marks}) GROUP BY {column}"
                          for column in ("referrer_id", "referred_id", "to_id"))):
                for id, n in self.conn.execute(sql, chunk):
                    degrees[id] += n
        return degrees

    def employments_at(self, groups: Mapping[str, Sequence[str] | None], *, open_only: bool = False,
                       within: tuple[date, date] | None = None) -> list[dict[str, Any]]:
        found = []
        sql = "SELECT doc FROM employments WHERE company_id = ?" + (' AND "end" IS NULL' if open_only else "")
        bounds: tuple[str, ...] = ()
        if within is not None:  # ISO dates: text order is date order
            sql += ' AND (start IS NULL OR start <= ?) AND ("end" IS NULL OR "end" >= ?)'
            bounds = (within[1].isoformat(), within[0].isoformat())
        for company_id, departments in groups.items():
            for (doc,) in self.conn.execute(sql, (company_id, *bounds)):
                raw = orjson.loads(doc)
                if departments is None or raw.get("department") in departments:
                    found.append(raw)
        return found

    def company_sizes(self, company_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        sizes: dict[str, tuple[int, int]] = {}
        for chunk in _chunks(list(dict.fromkeys(company_ids))):
            marks = _marks(len(chunk))
            sizes.update((id, (0, 0)) for (id,) in self.conn.execute(f"SELECT id FROM companies WHERE id IN ({marks})", chunk))
            sql = f"SELECT company_id, count(DISTINCT person_id), count(*) FROM employments WHERE company_id IN ({marks}) GROUP BY company_id"
            sizes.update((id, (persons, n)) for id, persons, n in self.conn.execute(sql, chunk))
        return sizes

    def raw(self, entity: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        table, _ = TABLES[entity]
        found = []
        for chunk in _chunks(list(dict.fromkeys(ids))):
            found += [orjson.loads(doc) for (doc,) in self.conn.execute(f"SELECT doc FROM {table} WHERE id IN ({_marks(len(chunk))})", chunk)]
        return found

    def replace_moves(self, person_ids: Sequence[str], moves: Sequence[JobMove]) -> None:
        wanted = {m.id for m in moves}
        stale = []
        for chunk in _chunks(list(person_ids)):
            sql = f"SELECT id FROM moves WHERE person_id IN ({_marks(len(chunk))})"
            stale += [id for (id,) in self.conn.execute(sql, chunk) if id not in wanted]
        self.delete("move", stale)
        self.upsert("move", moves)

    def scan(self, entity: str, *, after: str | None, limit: int) -> list[dict[str, Any]]:
        table, _ = TABLES[entity]
        sql = f"SELECT doc FROM {table} WHERE id > ? ORDER BY id LIMIT ?"
        return [orjson.loads(doc) for (doc,) in self.conn.execute(sql, (after or "", limit))]

    # -- change feed --------------------------------------------------------------
    def _log(self, entity: str, op: str, ids: Sequence[str]) -> None:
        at = datetime.now(timezone.utc).isoformat()
        cursor = self.conn.execute("INSERT INTO changes (entity, op, ids, at) VALUES (?, ?, ?, ?)",
                                   (entity, op, json.dumps(list(ids)), at))
        self.seq = cursor.lastrowid

    def erase_from_changes(self, ids: Sequence[str]) -> None:
        self.conn.execute(
            "UPDATE changes SET ids = (SELECT coalesce(json_group_array(value), '[]') FROM json_each(changes.ids)"
            " WHERE value NOT IN (SELECT value FROM json_each(?1)))"
            " WHERE EXISTS (SELECT 1 FROM json_each(changes.ids) WHERE value IN (SELECT value FROM json_each(?1)))",
            (json.dumps(sorted(set(ids))),))
        self._log("person", "erase", [])

    def last_change(self) -> int:
        return self.conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]

    def changes_since(self, seq: int, limit: int) -> list[Change]:
        rows = self.conn.execute("SELECT seq, entity, op, ids, at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))
        return [Change(s, e, op, orjson.loads(ids), datetime.fromisoformat(at)) for s, e, op, ids, at in rows]

    # -- documents ----------------------------------------------------------------
    def put_doc(self, collection: str, id: str, doc: Mapping[str, Any]) -> None:
        self.conn.execute("INSERT OR REPLACE INTO docs (collection, id, doc) VALUES (?, ?, ?)", (collection, id, json.dumps(doc)))

    def get_doc(self, collection: str, id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT doc FROM docs WHERE collection = ? AND id = ?", (collection, id)).fetchone()
        return orjson.loads(row[0]) if row else None

    def list_docs(self, collection: str, *, after: str | None, limit: int) -> list[dict[str, Any]]:
        sql = "SELECT doc FROM docs WHERE collection = ? AND id > ? ORDER BY id LIMIT ?"
        return [orjson.loads(doc) for (doc,) in self.conn.execute(sql, (collection, after or "", limit))]

    def delete_doc(self, collection: str, id: str) -> bool:
        return self.conn.execute("DELETE FROM docs WHERE collection = ? AND id = ?", (collection, id)).rowcount > 0


class SqliteStore:
    """SQLite file store. Safe for many threads and processes: WAL, busy timeout, immediate writes.

    The URL is ``sqlite:///PATH`` with optional SQLite URI parameters, e.g. ``?mode=ro`` for a
    read-only replica. A locked, read-only or full database raises StoreUnavailable. An import file is
    written in one transaction: other writers wait for it (up to the busy timeout), readers do not.
    """

    imports_in_one_transaction = True

    def __init__(self, url: str, *, busy_timeout: float) -> None:
        self.url = url
        self.path, _, self.query = url.removeprefix("sqlite:///").partition("?")
        self.busy_timeout = busy_timeout
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.path != ":memory:" and not self.query:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            target = f"file:{self.path}?{self.query}" if self.query else self.path
            conn = sqlite3.connect(target, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False,
                                   uri=bool(self.query))
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
            conn.execute("PRAGMA foreign_keys=OFF")
            conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            conn.execute("PRAGMA temp_store=MEMORY")
            self._local.conn = conn
        return conn

    def init_schema(self) -> None:
        if "mode=ro" not in self.query:
            self._run(lambda conn: conn.executescript(SCHEMA))

    def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return fn(self._conn())
        except sqlite3.OperationalError as err:
            raise StoreUnavailable(f"SQLite store {self.path}: {err}") from err

    def read(self, fn: Callable[[SqliteTx], T]) -> T:
        def run(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN")
            tx = SqliteTx(conn)
            try:
                return fn(tx)
            finally:
                conn.execute("COMMIT")
                tx.end()

        return self._run(run)

    def write(self, fn: Callable[[SqliteTx], T]) -> T:
        """Run ``fn`` in one immediate transaction; inside a causal scope, record the feed's seq at commit."""
        causal = bookmarks.current()

        def run(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN IMMEDIATE")
            tx = SqliteTx(conn)
            try:
                result = fn(tx)
                seq = tx.seq if tx.seq is not None or causal is None else tx.last_change()
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
            finally:
                tx.end()
            if causal is not None and seq is not None:
                causal.wrote(seq)
            return result

        return self._run(run)

    def ping(self) -> None:
        self._run(lambda conn: conn.execute("SELECT 1").fetchone())

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
