"""Webhooks: every job move the store learns, pushed to subscribers, signed, retried, never lost.

Everything lives in the store's document collections, so any number of dispatchers
(one per API worker, or ``sgraph webhooks dispatch``) share the work and survive
restarts::

    webhooks          subscriptions: url, secret, filters, status, consecutive failures
    webhook_outbox    deliveries still to make, "<subscription>:<key>": the frozen body,
                      attempts, next_attempt_at, and a lease while one dispatcher sends it
    webhook_events    every event ever created, "<subscription>:<key>": re-reading the
                      change feed never creates an event twice, even after delivery
    webhook_log       one entry per attempt, "<subscription>:<newest first>:<key>:<attempt>"
    webhook_state     "cursor": the change-feed position read up to; "lock": see below

One dispatch pass (``Dispatcher.run_once``):

1. **Enqueue.** Read the change feed after the cursor for job-move upserts; for each
   subscription whose filters a move matches (and that existed when the move was
   learned), create an event with idempotency key ``sha256(subscription id, move id)``
   unless that event exists, and advance the cursor, all in one write.
2. **Claim.** In one write, take up to ``batch`` outbox entries that are due
   (``next_attempt_at <= now``), not leased, and belong to an active subscription;
   lease them for ``lease_seconds``.
3. **Deliver.** POST each body with ``X-Sgraph-Event``, ``X-Sgraph-Idempotency-Key`` and
   ``X-Sgraph-Signature: t=<unix>,v1=<hex hmac_sha256(secret, f"{t}.{body}")>``. A 2xx
   answer is a success; anything else, or no answer, a failure.
4. **Record.** A success deletes the outbox entry, marks the event delivered and resets the
   subscription's failure count. A failure schedules the next attempt after an exponential
   backoff (``backoff_base_seconds * 2 ** (attempts - 1)``, at most ``backoff_max_seconds``,
   plus up to 10 % jitter derived from the key); after ``max_failures`` consecutive failures
   the subscription is *paused*: nothing is dropped, its deliveries wait in the outbox until
   an admin resumes it.

Because the schedule is stored, not kept in memory, a restart between a failure and its
retry loses nothing; a dispatcher that dies while sending leaves a lease that expires, and
the next one sends again. Delivery is therefore at least once; receivers drop repeats by
the idempotency key, which is the same on every attempt.

Every write of a pass first writes the ``lock`` document. On SQLite writes are serialised
anyway; on Neo4j that write takes the document node's write lock, held until commit, so
the read-then-write of claiming and recording cannot interleave between dispatchers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import httpx
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StrictBool, field_validator

from graph_service.errors import Conflict, InvalidInput, NotFound, Problem, StoreUnavailable
from graph_service.feed import OurTie, team_from_graph, ties_to
from graph_service.model import ChangeType, DecisionLayer, Id, JobMove
from graph_service.store.base import Store, StoreTx

log = logging.getLogger(__name__)

SUBSCRIPTIONS = "webhooks"
OUTBOX = "webhook_outbox"
EVENTS = "webhook_events"
LOG = "webhook_log"
STATE = "webhook_state"

EVENT_MOVE = "move.detected"
EVENT_ROLE_CHANGE = "role_change.detected"
EVENT_OF: dict[str, str] = {ChangeType.move: EVENT_MOVE, ChangeType.role_change: EVENT_ROLE_CHANGE}
EventName = Literal["move.detected", "role_change.detected"]

SIGNATURE_HEADER = "X-Sgraph-Signature"
KEY_HEADER = "X-Sgraph-Idempotency-Key"
EVENT_HEADER = "X-Sgraph-Event"
ATTEMPT_HEADER = "X-Sgraph-Attempt"

_PAGE = 1000
_MOVES_PER_STEP = 5000
_CONNECTED_BY_TEAM = 50
"""More movers than this in one pass: work out who is connected from the team's side."""


# -- signatures ---------------------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Sgraph-Signature`` value: ``t=<unix>,v1=<hex hmac_sha256(secret, f"{t}.{body}")>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: float | None = 300) -> bool:
    """Whether a signature header is valid for this body (and, with ``tolerance``, recent enough).

    For receivers: compare in constant time, refuse stale timestamps to stop replays,
    and drop repeated deliveries by ``X-Sgraph-Idempotency-Key``.
    """
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if tolerance is not None and abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def idempotency_key(subscription_id: str, move_id: str) -> str:
    """The key of the one event a subscription gets for a move: the same on every attempt and every pass."""
    return hashlib.sha256(f"{subscription_id}\x00{move_id}".encode()).hexdigest()[:32]


# -- subscriptions ----------------------------------------------------------------------------


class Filters(BaseModel):
    """Which moves a subscription gets; an empty list means "any"."""

    model_config = ConfigDict(extra="forbid")

    companies: list[Id] = Field(default_factory=list, description="moves from or to one of these companies")
    layers: list[DecisionLayer] = Field(default_factory=list, description="movers who were or are in one of these layers")
    connected_only: StrictBool = Field(False, description="only movers someone on our team has a tie or interaction with")


class SubscriptionIn(BaseModel):
    """A new subscription. Without a ``secret`` one is generated; it is returned once."""

    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl
    description: str = Field("", max_length=300)
    filters: Filters = Field(default_factory=Filters)
    events: list[EventName] = Field(default_factory=lambda: [EVENT_MOVE], min_length=1)
    secret: str | None = Field(None, min_length=16, max_length=200)

    @field_validator("url")
    @classmethod
    def _http(cls, url: AnyHttpUrl) -> AnyHttpUrl:
        if url.scheme not in ("http", "https"):
            raise ValueError("must be an http or https URL")
        return url


class Subscription(BaseModel):
    id: str
    url: str
    description: str
    filters: Filters
    events: list[str]
    status: Literal["active", "paused"]
    consecutive_failures: int
    created_at: datetime
    paused_at: datetime | None = None
    paused_reason: str | None = None
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    pending: int | None = None
    """Deliveries waiting in the outbox (filled in by ``get``)."""


class CreatedSubscription(Subscription):
    secret: str
    """Sign-checking secret: shown once, at creation."""


class Delivery(BaseModel):
    """One delivery attempt, from the delivery log."""

    key: str
    move_id: str
    event: str
    attempt: int
    at: datetime
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: float
    next_attempt_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[Delivery]
    next_cursor: str | None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(timezone.utc).isoformat()


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _public(doc: Mapping[str, Any]) -> Subscription:
    return Subscription.model_validate({k: v for k, v in doc.items() if k != "secret"})


def _prefixed(tx: StoreTx, collection: str, prefix: str, *, after: str | None = None,
              limit: int = _PAGE) -> list[dict[str, Any]]:
    """Documents whose id starts with ``prefix``, in id order, after the cursor ``after``."""
    start = after if after is not None and after.startswith(prefix) else prefix
    found = []
    for doc in tx.list_docs(collection, after=start, limit=limit):
        if not doc["id"].startswith(prefix):
            break
        found.append(doc)
    return found


def _all_prefixed(tx: StoreTx, collection: str, prefix: str) -> Iterator[dict[str, Any]]:
    after: str | None = None
    while True:
        page = _prefixed(tx, collection, prefix, after=after)
        yield from page
        if len(page) < _PAGE:
            return
        after = page[-1]["id"]


def _lock(tx: StoreTx, now: datetime) -> None:
    tx.put_doc(STATE, "lock", {"id": "lock", "at": _iso(now)})


def create(*, store: Store, subscription: SubscriptionIn, now: datetime | None = None) -> CreatedSubscription:
    """Create a subscription; it gets the moves learned from now on."""
    secret = subscription.secret or f"whsec_{secrets.token_urlsafe(32)}"
    doc = {
        "id": f"wh_{secrets.token_hex(8)}",
        "url": str(subscription.url),
        "description": subscription.description,
        "filters": subscription.filters.model_dump(mode="json"),
        "events": list(dict.fromkeys(subscription.events)),
        "status": "active",
        "consecutive_failures": 0,
        "created_at": _iso(now or _now()),
        "secret": secret,
    }
    store.write(lambda tx: tx.put_doc(SUBSCRIPTIONS, doc["id"], doc))
    return CreatedSubscription.model_validate(doc)


def list_subscriptions(*, store: Store) -> list[Subscription]:
    def run(tx: StoreTx) -> list[Subscription]:
        return [_public(doc) for doc in _all_prefixed(tx, SUBSCRIPTIONS, "")]

    return store.read(run)


def get_or_raise(*, store: Store, subscription_id: str) -> Subscription:
    def run(tx: StoreTx) -> Subscription:
        doc = tx.get_doc(SUBSCRIPTIONS, subscription_id)
        if doc is None:
            raise NotFound("webhook", subscription_id)
        pending = sum(1 for _ in _all_prefixed(tx, OUTBOX, f"{subscription_id}:"))
        return _public({**doc, "pending": pending})

    return store.read(run)


def delete(*, store: Store, subscription_id: str) -> None:
    """Delete a subscription with its pending deliveries, its events and its delivery log."""
    if store.write(lambda tx: tx.delete_doc(SUBSCRIPTIONS, subscription_id)) is False:
        raise NotFound("webhook", subscription_id)
    for collection in (OUTBOX, EVENTS, LOG):
        while True:
            def purge(tx: StoreTx) -> int:
                page = _prefixed(tx, collection, f"{subscription_id}:")
                for doc in page:
                    tx.delete_doc(collection, doc["id"])
                return len(page)

            if store.write(purge) < _PAGE:
                break


def forget_moves(tx: StoreTx, move_ids: set[str]) -> int:
    """Drop every delivery, event and log entry about these moves (an erasure); returns how many."""
    if not move_ids:
        return 0
    doomed = []
    for collection in (OUTBOX, EVENTS, LOG):
        after = None
        while True:
            page = tx.list_docs(collection, after=after, limit=_PAGE)
            doomed += [(collection, doc["id"]) for doc in page if doc.get("move_id") in move_ids]
            if len(page) < _PAGE:
                break
            after = page[-1]["id"]
    for collection, id in doomed:
        tx.delete_doc(collection, id)
    return len(doomed)


def resume(*, store: Store, subscription_id: str, now: datetime | None = None) -> Subscription:
    """Resume a paused subscription: its waiting deliveries are due at once, its failure count starts over."""
    when = now or _now()

    def run(tx: StoreTx) -> Subscription:
        _lock(tx, when)
        doc = tx.get_doc(SUBSCRIPTIONS, subscription_id)
        if doc is None:
            raise NotFound("webhook", subscription_id)
        if doc["status"] != "paused":
            raise Conflict(f"webhook {subscription_id!r} is not paused")
        doc.update(status="active", consecutive_failures=0, paused_at=None, paused_reason=None)
        tx.put_doc(SUBSCRIPTIONS, subscription_id, doc)
        for entry in _all_prefixed(tx, OUTBOX, f"{subscription_id}:"):
            entry.update(next_attempt_at=_iso(when), lease_until=None, lease_owner=None)
            tx.put_doc(OUTBOX, entry["id"], entry)
        return _public(doc)

    return store.write(run)


def deliveries(*, store: Store, subscription_id: str, after: str | None = None, limit: int = 100) -> DeliveryPage:
    """The delivery log of a subscription, newest attempt first."""
    if not 1 <= limit <= 1000:
        raise InvalidInput(Problem("limit", "must be between 1 and 1000"))

    def run(tx: StoreTx) -> DeliveryPage:
        if tx.get_doc(SUBSCRIPTIONS, subscription_id) is None:
            raise NotFound("webhook", subscription_id)
        page = _prefixed(tx, LOG, f"{subscription_id}:", after=after, limit=limit)
        items = [Delivery.model_validate(doc) for doc in page]
        return DeliveryPage(items=items, next_cursor=page[-1]["id"] if len(page) == limit else None)

    return store.read(run)


# -- dispatching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DispatchConfig:
    poll_seconds: float = 2.0
    timeout_seconds: float = 10.0
    max_failures: int = 8
    """Consecutive failed attempts after which a subscription is paused."""
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    lease_seconds: float = 60.0
    batch: int = 100
    changes_per_pass: int = 500

    @classmethod
    def from_settings(cls, settings: Any) -> "DispatchConfig":
        """Read ``webhook_<field>`` settings where they exist; defaults otherwise."""
        values = {name: getattr(settings, f"webhook_{name}") for name in cls.__dataclass_fields__
                  if getattr(settings, f"webhook_{name}", None) is not None}
        return cls(**values)


def backoff(attempts: int, key: str, config: DispatchConfig) -> timedelta:
    """Wait before the next attempt after ``attempts`` failed ones: exponential, capped, with jitter."""
    delay = min(config.backoff_max_seconds, config.backoff_base_seconds * 2 ** max(0, attempts - 1))
    jitter = int(hashlib.sha256(f"{key}:{attempts}".encode()).hexdigest()[:4], 16) / 0xFFFF * 0.1
    return timedelta(seconds=delay * (1 + jitter))


@dataclass
class PassSummary:
    """What one dispatch pass did."""

    enqueued: int = 0
    delivered: int = 0
    failed: int = 0
    paused: list[str] = field(default_factory=list)


def _matches(sub: Mapping[str, Any], move: JobMove, connected: Callable[[str], bool]) -> bool:
    if EVENT_OF[move.type] not in sub["events"]:
        return False
    created = _parse(sub["created_at"])
    if created is not None and move.learned_at < created:
        return False
    filters = sub["filters"]
    if filters["companies"] and not {move.from_company_id, move.to_company_id} & set(filters["companies"]):
        return False
    if filters["layers"] and not {move.from_layer, move.to_layer} & set(filters["layers"]):
        return False
    return not filters["connected_only"] or connected(move.person_id)


def describe_move(tx: StoreTx, move: JobMove, tie: OurTie | None, connected: bool) -> dict[str, Any]:
    """The ``data`` of an event: the move, the names, and our tie to the mover, as they are now."""
    companies = tx.get_many("company", [move.from_company_id, move.to_company_id])
    person = tx.get_many("person", [move.person_id]).get(move.person_id)

    def company(id: str) -> dict[str, Any]:
        found = companies.get(id)
        return {"id": id, "name": found.name if found else id, "status": found.status if found else "other"}  # type: ignore[attr-defined]

    return {
        "move": move.model_dump(mode="json"),
        "person": {"id": move.person_id, "name": person.name if person else move.person_id},  # type: ignore[attr-defined]
        "from_company": company(move.from_company_id),
        "to_company": company(move.to_company_id),
        "connected": connected,
        "our_strength": tie.strength if tie else 0.0,
        "via": tie.via if tie else None,
    }


class Dispatcher:
    """Runs dispatch passes over one store. Holds no state that matters: drop it at any time."""

    def __init__(self, store: Store, config: DispatchConfig | None = None, *, client: httpx.Client | None = None,
                 owner: str | None = None, projection: Any | None = None) -> None:
        """``projection``: a ``projection.Projection`` to take our tie strengths from (as the feed does in the API)."""
        self.store = store
        self.projection = projection
        self.config = config or DispatchConfig()
        self.owner = owner or f"dispatcher-{uuid.uuid4().hex[:12]}"
        self._client = client
        self._own_client = client is None
        self.stopping = threading.Event()

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self.config.timeout_seconds, follow_redirects=False,
                                        headers={"User-Agent": "sgraph-webhooks/0.1"})
        return self._client

    def close(self) -> None:
        if self._client is not None and self._own_client:
            self._client.close()
            self._client = None

    def run_once(self, now: datetime | None = None) -> PassSummary:
        """One pass: enqueue new events, then deliver what is due. ``now`` fixes the clock (for tests)."""
        clock: Callable[[], datetime] = (lambda: now) if now is not None else _now
        summary = PassSummary()
        summary.enqueued = self.enqueue(clock())
        self.deliver_due(clock, summary)
        return summary

    # -- 1. enqueue ----------------------------------------------------------------------------
    def enqueue(self, now: datetime) -> int:
        """Turn job moves learned since the cursor into outbox entries; returns how many were created."""
        created = 0
        for _ in range(100):
            made, more = self._enqueue_step(now)
            created += made
            if not more:
                break
        return created

    def _enqueue_step(self, now: datetime) -> tuple[int, bool]:
        graph: tuple[dict[str, OurTie], set[str]] | None = None
        if self.projection is not None:  # read outside the store transaction below: it reads the store itself
            state, last = self.store.read(lambda tx: (tx.get_doc(STATE, "cursor"), tx.last_change()))
            if (state["seq"] if state else 0) == last:
                return 0, False
            with self.projection.current() as G:
                graph = team_from_graph(G)

        def read(tx: StoreTx) -> tuple[int, int, list[tuple[str, dict[str, Any]]]]:
            state = tx.get_doc(STATE, "cursor")
            cursor = state["seq"] if state else 0
            subs = list(_all_prefixed(tx, SUBSCRIPTIONS, ""))
            if not subs:
                return cursor, tx.last_change(), []  # nobody listens: moves learned now are nobody's events
            upto, upserted = cursor, []
            for change in tx.changes_since(cursor, self.config.changes_per_pass):
                upto = change.seq
                if change.entity == "move" and change.op == "upsert":
                    upserted += change.ids
                    if len(upserted) >= _MOVES_PER_STEP:
                        break
            if not upserted:
                return cursor, upto, []
            moves: list[JobMove] = list(tx.get_many("move", list(dict.fromkeys(upserted))).values())  # type: ignore[arg-type]
            ties, connected = self._connections(tx, moves, graph)
            events = []
            for move in moves:
                wanting = [sub for sub in subs if _matches(sub, move, connected.__contains__)]
                if not wanting:
                    continue
                data = describe_move(tx, move, ties.get(move.person_id), move.person_id in connected)
                for sub in wanting:
                    key = idempotency_key(sub["id"], move.id)
                    events.append((sub["id"], {"id": key, "event": EVENT_OF[move.type], "created_at": _iso(now),
                                               "data": data}))
            return cursor, upto, events

        cursor, upto, events = self.store.read(read)
        if upto == cursor:
            return 0, False

        def write(tx: StoreTx) -> int | None:
            _lock(tx, now)
            state = tx.get_doc(STATE, "cursor")
            if (state["seq"] if state else 0) != cursor:
                return None  # another dispatcher got here first; read again
            made = 0
            for sub_id, body in events:
                id = f"{sub_id}:{body['id']}"
                if tx.get_doc(EVENTS, id) is not None:
                    continue
                tx.put_doc(EVENTS, id, {"id": id, "key": body["id"], "move_id": body["data"]["move"]["id"],
                                        "event": body["event"], "created_at": _iso(now), "status": "pending"})
                tx.put_doc(OUTBOX, id, {
                    "id": id, "subscription_id": sub_id, "key": body["id"], "move_id": body["data"]["move"]["id"],
                    "event": body["event"], "body": json.dumps(body, separators=(",", ":"), sort_keys=True),
                    "created_at": _iso(now), "attempts": 0, "next_attempt_at": _iso(now),
                    "lease_until": None, "lease_owner": None, "last_error": None,
                })
                made += 1
            tx.put_doc(STATE, "cursor", {"id": "cursor", "seq": upto, "at": _iso(now)})
            return made

        made = self.store.write(write)
        return (0, True) if made is None else (made, True)

    @staticmethod
    def _connections(tx: StoreTx, moves: Sequence[JobMove],
                     graph: tuple[dict[str, OurTie], set[str]] | None) -> tuple[dict[str, OurTie], set[str]]:
        """Our tie to each mover, and which movers are connected (a tie or an interaction with our team)."""
        movers = list(dict.fromkeys(m.person_id for m in moves))
        if graph is not None:
            best, connected = graph
            return {p: best[p] for p in movers if p in best}, {p for p in movers if p in connected}
        if len(movers) > _CONNECTED_BY_TEAM:
            from graph_service.asof import our_ties

            ours = our_ties(tx)
            found = {p: ours[p] for p in movers if p in ours}
        else:
            found = ties_to(tx, movers)
        return found, set(found)

    # -- 2-4. claim, deliver, record -------------------------------------------------------------
    def deliver_due(self, clock: Callable[[], datetime], summary: PassSummary) -> None:
        claimed = self.store.write(lambda tx: self._claim(tx, clock()))
        failed_subs: set[str] = set()
        for entry, sub in claimed:
            if self.stopping.is_set() or sub["id"] in failed_subs or sub["id"] in summary.paused:
                self.store.write(lambda tx: self._release(tx, entry, clock()))
                continue
            ok, status, error, elapsed = self._send(entry, sub, clock())
            paused = self.store.write(lambda tx: self._record(tx, entry, ok, status, error, elapsed, clock()))
            if ok:
                summary.delivered += 1
            else:
                summary.failed += 1
                failed_subs.add(sub["id"])
                if paused:
                    summary.paused.append(sub["id"])

    def _claim(self, tx: StoreTx, now: datetime) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        _lock(tx, now)
        subs = {s["id"]: s for s in _all_prefixed(tx, SUBSCRIPTIONS, "") if s["status"] == "active"}
        if not subs:
            return []
        due = []
        for sub_id in subs:  # a paused subscription's backlog is not even read
            for entry in _all_prefixed(tx, OUTBOX, f"{sub_id}:"):
                lease = _parse(entry.get("lease_until"))
                if _parse(entry["next_attempt_at"]) <= now and (lease is None or lease <= now):  # type: ignore[operator]
                    due.append(entry)
        due.sort(key=lambda e: (e["next_attempt_at"], e["created_at"], e["id"]))
        claimed = []
        for entry in due[: self.config.batch]:
            entry.update(lease_until=_iso(now + timedelta(seconds=self.config.lease_seconds)), lease_owner=self.owner)
            tx.put_doc(OUTBOX, entry["id"], entry)
            claimed.append((entry, subs[entry["subscription_id"]]))
        return claimed

    def _release(self, tx: StoreTx, entry: Mapping[str, Any], now: datetime) -> None:
        _lock(tx, now)
        current = tx.get_doc(OUTBOX, entry["id"])
        if current is not None and current.get("lease_owner") == self.owner:
            current.update(lease_until=None, lease_owner=None)
            tx.put_doc(OUTBOX, entry["id"], current)

    def _send(self, entry: Mapping[str, Any], sub: Mapping[str, Any],
              now: datetime) -> tuple[bool, int | None, str | None, float]:
        body = entry["body"].encode()
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: entry["event"],
            KEY_HEADER: entry["key"],
            ATTEMPT_HEADER: str(entry["attempts"] + 1),
            SIGNATURE_HEADER: sign(sub["secret"], body, int(now.timestamp())),
        }
        started = time.perf_counter()
        try:
            response = self.client.post(sub["url"], content=body, headers=headers)
        except httpx.HTTPError as err:
            return False, None, f"{type(err).__name__}: {err}"[:300], (time.perf_counter() - started) * 1000
        elapsed = (time.perf_counter() - started) * 1000
        if 200 <= response.status_code < 300:
            return True, response.status_code, None, elapsed
        return False, response.status_code, f"HTTP {response.status_code}: {response.text[:200]}", elapsed

    def _record(self, tx: StoreTx, entry: Mapping[str, Any], ok: bool, status: int | None, error: str | None,
                elapsed: float, now: datetime) -> bool:
        """Write the outcome of one attempt; returns whether the subscription was paused by it."""
        _lock(tx, now)
        sub_id = entry["subscription_id"]
        sub = tx.get_doc(SUBSCRIPTIONS, sub_id)
        current = tx.get_doc(OUTBOX, entry["id"])
        attempt = (current or entry)["attempts"] + 1
        next_at = None if ok else now + backoff(attempt, entry["key"], self.config)
        stamp = 10**15 - int(now.timestamp() * 1000)
        log_id = f"{sub_id}:{stamp:015d}:{entry['key']}:{attempt:04d}"
        if sub is None:
            return False  # deleted meanwhile: nothing left to record
        tx.put_doc(LOG, log_id, {
            "id": log_id, "key": entry["key"], "move_id": entry["move_id"], "event": entry["event"],
            "attempt": attempt, "at": _iso(now), "ok": ok, "status_code": status, "error": error,
            "duration_ms": round(elapsed, 2), "next_attempt_at": _iso(next_at),
        })
        paused = False
        if ok:
            if current is not None:
                tx.delete_doc(OUTBOX, entry["id"])
            event = tx.get_doc(EVENTS, entry["id"])
            if event is not None:
                event.update(status="delivered", delivered_at=_iso(now), attempts=attempt)
                tx.put_doc(EVENTS, entry["id"], event)
            sub.update(consecutive_failures=0, last_success_at=_iso(now))
        else:
            if current is not None and current.get("lease_owner") == self.owner:  # not taken over meanwhile
                current.update(attempts=attempt, next_attempt_at=_iso(next_at), lease_until=None, lease_owner=None,
                               last_error=error)
                tx.put_doc(OUTBOX, entry["id"], current)
            sub.update(consecutive_failures=sub["consecutive_failures"] + 1, last_failure_at=_iso(now))
            if sub["status"] == "active" and sub["consecutive_failures"] >= self.config.max_failures:
                paused = True
                sub.update(status="paused", paused_at=_iso(now),
                           paused_reason=f"{sub['consecutive_failures']} consecutive failed deliveries; last: {error}")
        tx.put_doc(SUBSCRIPTIONS, sub_id, sub)
        return paused


def run_once(store: Store, now: datetime | None = None, *, config: DispatchConfig | None = None,
             client: httpx.Client | None = None) -> PassSummary:
    """One dispatch pass with a throwaway dispatcher."""
    dispatcher = Dispatcher(store, config, client=client)
    try:
        return dispatcher.run_once(now)
    finally:
        dispatcher.close()


def start_dispatcher(store: Store, settings: Any, config: DispatchConfig | None = None, *,
                     projection: Any | None = None) -> Callable[[], None]:
    """Run dispatch passes in a background thread until the returned function is called."""
    config = config or DispatchConfig.from_settings(settings)
    dispatcher = Dispatcher(store, config, projection=projection)

    def loop() -> None:
        while not dispatcher.stopping.is_set():
            try:
                dispatcher.run_once()
            except StoreUnavailable as err:
                log.warning("webhook dispatch: %s", err)
            except Exception:  # noqa: BLE001 - the loop must outlive one bad pass
                log.exception("webhook dispatch pass failed")
            dispatcher.stopping.wait(config.poll_seconds)

    thread = threading.Thread(target=loop, name="sgraph-webhooks", daemon=True)
    thread.start()

    def stop() -> None:
        dispatcher.stopping.set()
        thread.join(timeout=config.timeout_seconds + 5)
        dispatcher.close()

    return stop
