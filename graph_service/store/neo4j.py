"""Store on Neo4j 5 (Community or Enterprise) through the official driver.

Graph shape (traversal Cypher elsewhere relies on it)::

    (:Person {id, name, emails, internal, tags, fp, doc})
    (:Company {id, name, domain, industry, industry_rank, ownership, employees, revenue,
               status, health, payment_reputation, account_kind, fp, doc})
    (:Person)-[:WORKS_AT {id, title, department, decision_layer, seniority, start, end,
                          precision, source, fp, doc}]->(:Company)          employment
    (:Person)-[:TIE {id, strength, kind, source, since, owner, visibility, fp, doc}]->(:Person)
                                                  tie, stored from a to b (a < b)
    (:Interaction {id, type, at, source, subject, owner, visibility, fp, doc})
    (:Person)-[:IN {role}]->(:Interaction)        role: initiator | participant | cc,
                                                  one relationship per person and role
    (:Referral {id, on, outcome, source, fp, doc})
    (:Person)-[:REFERRER|REFERRED|REFERRED_TO]->(:Referral)
    (:JobMove {id, type, on, from_title, from_layer, to_title, to_layer, precision, learned_at,
               source, fp, doc})
    (:Person)-[:MOVED]->(:JobMove)-[:FROM|TO]->(:Company)
    (:Change {seq, entity, op, ids, at})          change feed; seq from (:Counter {name: 'changes'})
    (:Doc {collection, id, doc})                  service metadata

Every record keeps ``doc`` (its JSON, the exact round trip) and ``fp`` (its fingerprint);
the other properties are native copies for queries. Dates are ISO strings (``YYYY-MM-DD``)
or absent; ``Interaction.at``, ``JobMove.learned_at`` and ``Change.at`` are native
DATETIMEs in UTC. Null fields are absent properties. Ids are unique per label and per
relationship type (constraints in ``cypher/schema``), so a lookup by id is an index seek.

Relationship records (employment, tie) and the relationships of interactions, referrals
and job moves are only written when their persons and companies exist: the import layer
checks references first, a MATCH that finds nothing writes nothing. Upserting an
employment or tie whose endpoints changed deletes and recreates it. Deleting a person or
a company deletes its relationships too; the ties and employments that go with it are
written to the change feed as deletes.

Writes are serialised like SQLite's ``BEGIN IMMEDIATE``: every write transaction first
write-locks the change counter (``change/lock.cypher``) and holds it until commit, so what
it reads cannot change under it (no lost updates in read-modify-write), created/updated
counts are exact under concurrency, and ``Change.seq`` grows in commit order.

Multi-row answers come back as one row of lists (``collect``): the Python driver pays
about 50 microseconds per returned record. Every statement is a file under ``cypher/``
(see ``cypher()``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any, LiteralString, TypeVar, cast

import orjson
from neo4j import Bookmarks, Driver, GraphDatabase, ManagedTransaction, NotificationDisabledClassification, Result, Session
from neo4j.exceptions import ClientError, DatabaseUnavailable, ServiceUnavailable, SessionExpired

from graph_service import bookmarks
from graph_service.errors import InvalidInput, Problem, StoreUnavailable
from graph_service.model import JobMove, Record
from graph_service.settings import Settings
from graph_service.store.base import FILTERS, MODELS, Change, UpsertCounts

T = TypeVar("T")

CYPHER_DIR = Path(__file__).resolve().parents[2] / "cypher"
"""Where the statements live: ``cypher/<area>/<verb>.cypher``."""

UNAVAILABLE = (ServiceUnavailable, SessionExpired, DatabaseUnavailable)
"""Driver errors that mean "cannot reach the database now" (after the driver's own retries)."""
INVALID_BOOKMARK = frozenset({"Neo.ClientError.Transaction.InvalidBookmark",
                              "Neo.ClientError.Transaction.InvalidBookmarkMixture"})
"""Server errors that mean "these bookmarks are not from this database"."""

SCHEMA_TIMEOUT_SECONDS = 300


@cache
def cypher(name: str) -> LiteralString:
    """The text of ``cypher/<name>.cypher``, read once."""
    return cast(LiteralString, (CYPHER_DIR / f"{name}.cypher").read_text(encoding="utf-8"))


def schema_statements() -> list[str]:
    """Names of the idempotent schema statements (``schema/<name>``), in a stable order."""
    return [f"schema/{path.stem}" for path in sorted((CYPHER_DIR / "schema").glob("*.cypher"))]


@dataclass(frozen=True)
class Shape:
    """How one kind of record is stored.

    ``native`` names the record fields copied into native properties; ``ends`` names, for
    records stored as relationships, the row keys holding the two endpoint ids.
    """

    area: str
    native: tuple[str, ...]
    ends: tuple[str, str] | None = None


SHAPES: dict[str, Shape] = {
    "person": Shape("person", ("name", "emails", "internal", "tags")),
    "company": Shape(
        "company",
        ("name", "domain", "industry", "industry_rank", "ownership", "employees", "revenue", "status", "health",
         "payment_reputation", "account_kind"),
    ),
    "employment": Shape(
        "employment",
        ("title", "department", "decision_layer", "seniority", "start", "end", "precision", "source"),
        ends=("person", "company"),
    ),
    "tie": Shape("tie", ("strength", "kind", "source", "since", "owner", "visibility"), ends=("a", "b")),
    "interaction": Shape("interaction", ("type", "at", "source", "subject", "owner", "visibility")),
    "referral": Shape("referral", ("on", "outcome", "source")),
    "move": Shape(
        "move",
        ("type", "on", "from_title", "from_layer", "to_title", "to_layer", "precision", "learned_at", "source"),
    ),
}

DATETIME_FIELDS = frozenset({"at", "learned_at"})
"""Fields stored as native DATETIME (UTC) instead of their JSON string."""


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _links(entity: str, record: Any) -> dict[str, Any]:
    """The ids of the persons and companies a record is attached to, as its upsert row names them."""
    match entity:
        case "employment":
            return {"person": record.person_id, "company": record.company_id}
        case "tie":
            return {"a": record.a, "b": record.b}
        case "interaction":
            roles = {"initiator": [record.initiator] if record.initiator else [],
                     "participant": record.participants, "cc": record.cc}
            return {"links": [{"person": person, "role": role} for role, persons in roles.items() for person in persons]}
        case "referral":
            return {"referrer": record.referrer_id, "referred": record.referred_id, "to": record.to_id}
        case "move":
            return {"person": record.person_id, "from": record.from_company_id, "to": record.to_company_id}
    return {}


def dump(record: Record) -> tuple[dict[str, Any], str, str]:
    """The JSON-mode dump of a record, its JSON text and its fingerprint."""
    text, fp = record.to_json()
    return orjson.loads(text), text, fp


def _row(entity: str, record: Record, doc: dict[str, Any], text: str, fp: str) -> dict[str, Any]:
    """One UNWIND row of ``<area>/upsert|create|update.cypher``: id, endpoint ids and every property."""
    props: dict[str, Any] = {"id": record.id}
    for name in SHAPES[entity].native:
        value = doc[name]
        if name in DATETIME_FIELDS and value is not None:
            value = _utc(getattr(record, name))
        props[name] = value
    props["fp"] = fp
    props["doc"] = text
    return {"id": record.id, **_links(entity, record), "props": props}


class Neo4jTx:
    """The store operations inside one managed transaction."""

    def __init__(self, tx: ManagedTransaction) -> None:
        self.tx = tx
        self.seq: int | None = None  # the last change this transaction appended to the feed

    def _run(self, name: str, **params: Any) -> Result:
        return self.tx.run(cypher(name), params)

    def _exec(self, name: str, **params: Any) -> None:
        self._run(name, **params).consume()

    def _one(self, name: str, **params: Any) -> Any:
        """The single row of a statement that aggregates its answer into one row."""
        return self._run(name, **params).single(strict=True)

    def lock(self) -> None:
        """Serialise store writers: take the change feed's lock before reading anything."""
        self._exec("change/lock")

    # -- entities ---------------------------------------------------------------
    def upsert(self, entity: str, records: Sequence[Record]) -> UpsertCounts:
        shape = SHAPES[entity]
        by_id = {record.id: record for record in records}
        known = {found[0]: found[1:] for found in self._one(f"{shape.area}/fingerprints", ids=list(by_id))["found"]}
        counts = UpsertCounts()
        created: list[dict[str, Any]] = []
        updated: list[dict[str, Any]] = []
        moved: list[str] = []
        for id, record in by_id.items():
            doc, text, fp = dump(record)
            old = known.get(id)
            if old is not None and old[0] == fp:
                counts.unchanged += 1
                continue
            counts.changed_ids.append(id)
            row = _row(entity, record, doc, text, fp)
            if old is None:
                counts.created += 1
                created.append(row)
                continue
            counts.updated += 1
            if shape.ends is not None and old[1] != [row[end] for end in shape.ends]:
                moved.append(id)
                created.append(row)
            else:
                updated.append(row)
        if shape.ends is None:  # nodes: one MERGE statement replaces the node and its relationships
            if created or updated:
                self._exec(f"{shape.area}/upsert", rows=created + updated)
        else:  # relationships: CREATE the new and the moved ones, SET the others in place
            if moved:
                self._exec(f"{shape.area}/delete", ids=moved)
            if created:
                self._exec(f"{shape.area}/create", rows=created)
            if updated:
                self._exec(f"{shape.area}/update", rows=updated)
        if counts.changed_ids:
            self._log(entity, "upsert", counts.changed_ids)
        return counts

    def get_many(self, entity: str, ids: Sequence[str]) -> dict[str, Record]:
        model = MODELS[entity]
        found = self._one(f"{SHAPES[entity].area}/get", ids=list(dict.fromkeys(ids)))["found"]
        return {id: model.model_validate_json(doc) for id, doc in found}

    def existing_ids(self, entity: str, ids: Sequence[str]) -> set[str]:
        found = self._one(f"{SHAPES[entity].area}/fingerprints", ids=list(dict.fromkeys(ids)))["found"]
        return {row[0] for row in found}

    def list(self, entity: str, *, after: str | None, limit: int, filters: Mapping[str, Any]) -> list[Record]:
        model = MODELS[entity]
        return [model.model_validate_json(doc) for doc in self._page(entity, after, limit, filters)]

    def _page(self, entity: str, after: str | None, limit: int, filters: Mapping[str, Any]) -> list[str]:
        """The ``doc`` texts of one page, from the statement that starts at the filtered person or company."""
        unknown = sorted(set(filters) - FILTERS[entity])
        if unknown:
            raise InvalidInput([Problem(name, f"not a filter of {entity}") for name in unknown])
        params = {name: filters.get(name) for name in FILTERS[entity]}
        for name in ("internal", "current"):
            if params.get(name) is not None:
                params[name] = bool(params[name])
        if params.get("person_id") is not None:
            verb = "list_by_person"
        elif params.get("company_id") is not None:
            verb = "list_by_company"
        else:
            verb = "list"
        return self._one(f"{SHAPES[entity].area}/{verb}", after=after or "", limit=limit, **params)["docs"]

    def count(self, entity: str) -> int:
        return self._one(f"{SHAPES[entity].area}/count")["n"]

    def delete(self, entity: str, ids: Sequence[str]) -> int:
        gone = self._one(f"{SHAPES[entity].area}/delete", ids=list(dict.fromkeys(ids)))
        if gone["ids"]:
            self._log(entity, "delete", gone["ids"])
        if entity in ("person", "company"):  # relationship records deleted with their person or company
            for related, key in (("tie", "ties"), ("employment", "employments")):
                if gone[key]:
                    self._log(related, "delete", list(dict.fromkeys(gone[key])))
        return len(gone["ids"])

    def employments_of(self, person_ids: Sequence[str]) -> list[Record]:
        model = MODELS["employment"]
        return [model.model_validate(doc) for doc in self.employment_docs_of(person_ids)]

    def employment_docs_of(self, person_ids: Sequence[str]) -> list[dict[str, Any]]:
        docs = self._one("employment/of_persons", person_ids=list(dict.fromkeys(person_ids)))["docs"]
        return [orjson.loads(doc) for doc in docs]

    # -- neighbourhoods (bounded projections) --------------------------------------
    def neighbourhood(self, person_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        ids = list(dict.fromkeys(person_ids))
        found = {kind: [orjson.loads(doc) for doc in self._one(f"bounded/{kind}s", person_ids=ids)["docs"]]
                 for kind in ("tie", "interaction", "referral")}
        found["employment"] = [orjson.loads(doc) for doc in self._one("employment/of_persons", person_ids=ids)["docs"]]
        return found

    def degrees(self, person_ids: Sequence[str]) -> dict[str, int]:
        return dict(self._one("bounded/degrees", person_ids=list(dict.fromkeys(person_ids)))["degrees"])

    def employments_at(self, groups: Mapping[str, Sequence[str] | None], *, open_only: bool = False,
                       within: tuple[date, date] | None = None) -> list[dict[str, Any]]:
        rows = [{"company_id": id, "departments": None if d is None else list(d)} for id, d in groups.items()]
        first, last = (None, None) if within is None else (within[0].isoformat(), within[1].isoformat())
        docs = self._one("bounded/employments_at", groups=rows, open_only=open_only, first=first, last=last)["docs"]
        return [orjson.loads(doc) for doc in docs]

    def company_sizes(self, company_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        sizes = self._one("bounded/sizes", company_ids=list(dict.fromkeys(company_ids)))["sizes"]
        return {id: (persons, employments) for id, persons, employments in sizes}

    def raw(self, entity: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        found = self._one(f"{SHAPES[entity].area}/get", ids=list(dict.fromkeys(ids)))["found"]
        return [orjson.loads(doc) for _, doc in found]

    def replace_moves(self, person_ids: Sequence[str], moves: Sequence[JobMove]) -> None:
        wanted = {move.id for move in moves}
        stored = self._one("move/of_persons", person_ids=list(dict.fromkeys(person_ids)))["ids"]
        self.delete("move", [id for id in stored if id not in wanted])
        self.upsert("move", moves)

    def scan(self, entity: str, *, after: str | None, limit: int) -> list[dict[str, Any]]:
        return [orjson.loads(doc) for doc in self._page(entity, after, limit, {})]

    # -- change feed --------------------------------------------------------------
    def _log(self, entity: str, op: str, ids: Sequence[str]) -> None:
        self.seq = self._one("change/log", entity=entity, op=op, ids=list(ids), at=datetime.now(timezone.utc))["seq"]

    def erase_from_changes(self, ids: Sequence[str]) -> None:
        self._one("change/erase", ids=sorted(set(ids)))
        self._log("person", "erase", [])

    def last_change(self) -> int:
        return self._one("change/last")["seq"]

    def changes_since(self, seq: int, limit: int) -> list[Change]:
        changes = self._one("change/since", seq=seq, limit=limit)["changes"]
        return [Change(seq, entity, op, list(ids), _utc(at.to_native())) for seq, entity, op, ids, at in changes]

    # -- documents ----------------------------------------------------------------
    def put_doc(self, collection: str, id: str, doc: Mapping[str, Any]) -> None:
        self._exec("doc/put", collection=collection, id=id, doc=json.dumps(doc, ensure_ascii=False))

    def get_doc(self, collection: str, id: str) -> dict[str, Any] | None:
        row = self._run("doc/get", collection=collection, id=id).single()
        return orjson.loads(row["doc"]) if row else None

    def list_docs(self, collection: str, *, after: str | None, limit: int) -> list[dict[str, Any]]:
        docs = self._one("doc/list", collection=collection, after=after or "", limit=limit)["docs"]
        return [orjson.loads(doc) for doc in docs]

    def delete_doc(self, collection: str, id: str) -> bool:
        return self._one("doc/delete", collection=collection, id=id)["deleted"] > 0


class Neo4jStore:
    """A Neo4j database reached through one driver (connection pool) per store object.

    ``read`` and ``write`` run the caller's function as a managed transaction: the driver
    retries it on transient errors (deadlocks, leader changes), so the function must only
    touch the database through the ``Neo4jTx`` it is given. Sessions share one bookmark
    manager, so a read after a write on this object sees that write, also on a cluster.

    Inside a causal scope (``bookmarks.following``), sessions also start from the client's
    bookmarks (a write made through another process), and each committed write records
    its bookmarks and feed sequence number in the scope: read-your-writes across workers.
    Reads stay read transactions, routable to secondaries.
    """

    imports_in_one_transaction = False

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.database = settings.neo4j_database
        password = settings.neo4j_password
        auth = None if password is None else (settings.neo4j_user, password.get_secret_value())
        self.driver: Driver = GraphDatabase.driver(
            url,
            auth=auth,
            max_connection_pool_size=settings.neo4j_pool_size,
            max_transaction_retry_time=settings.neo4j_retry_seconds,
            # "unknown label/property" warnings are noise on a new or partly filled database
            notifications_disabled_classifications=[NotificationDisabledClassification.UNRECOGNIZED],
        )
        self.bookmarks = GraphDatabase.bookmark_manager()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        after = bookmarks.read_after()
        given = Bookmarks.from_raw_values(after.neo4j) if after is not None and after.neo4j else None
        try:
            with self.driver.session(database=self.database, bookmark_manager=self.bookmarks,
                                     bookmarks=given) as session:
                yield session
        except UNAVAILABLE as err:
            raise StoreUnavailable(f"Neo4j store {self.url}: {err}") from err
        except ClientError as err:
            if err.code in INVALID_BOOKMARK:
                raise InvalidInput(Problem(bookmarks.NAME, f"not a bookmark of this database: {err.message}")) from err
            raise

    def init_schema(self) -> None:
        """Create the constraints and indexes (idempotent) and wait until they are online."""
        with self._session() as session:
            for name in schema_statements():
                session.execute_write(lambda tx, name=name: tx.run(cypher(name)).consume())
            session.execute_read(
                lambda tx: tx.run(cypher("store/await_indexes"), seconds=SCHEMA_TIMEOUT_SECONDS).consume()
            )

    def read(self, fn: Callable[[Neo4jTx], T]) -> T:
        with self._session() as session:
            return session.execute_read(lambda tx: fn(Neo4jTx(tx)))

    def write(self, fn: Callable[[Neo4jTx], T]) -> T:
        causal = bookmarks.current()

        def locked(tx: ManagedTransaction) -> tuple[T, int | None]:
            store_tx = Neo4jTx(tx)
            store_tx.lock()
            result = fn(store_tx)
            if causal is None:
                return result, None
            return result, store_tx.seq if store_tx.seq is not None else store_tx.last_change()

        with self._session() as session:
            result, seq = session.execute_write(locked)
            if causal is not None and seq is not None:
                causal.wrote(seq, session.last_bookmarks().raw_values)
            return result

    def ping(self) -> None:
        """Raise StoreUnavailable unless the database answers ``RETURN 1`` (an auto-commit query: fails fast)."""
        with self._session() as session:
            session.run(cypher("store/ping")).consume()

    def close(self) -> None:
        self.driver.close()
