"""Webhooks against a real receiver on 127.0.0.1: signatures, retries, restarts, pausing, filters."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph_service import records, webhooks
from graph_service.keys import Scope, create as create_key
from graph_service.settings import Settings
from graph_service.store import open_store
from graph_service.store.base import Store
from graph_service.webhooks import DispatchConfig, Dispatcher, SubscriptionIn
from tests.factories import company, job, people, tie
from tests.test_feed import client  # noqa: F401 - the app with the moves routes

SECRET = "whsec_test-secret-0123456789"
CONFIG = DispatchConfig(max_failures=3, backoff_base_seconds=30, backoff_max_seconds=600, lease_seconds=60)


class Receiver:
    """A small threaded HTTP server that fails the first ``fail_first`` requests (or all of them)
    and processes each idempotency key once, as a well-behaved receiver does."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.processed: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append((dict(self.headers.items()), body))
                    failing = receiver.fail_first < 0 or len(receiver.requests) <= receiver.fail_first
                    if not failing:
                        receiver.processed.setdefault(self.headers[webhooks.KEY_HEADER], json.loads(body))
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"no" if failing else b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def world(store: Store) -> None:
    store.write(lambda tx: tx.upsert("person", people("tom", "ann", "ben", internal=("tom",))))
    store.write(lambda tx: tx.upsert("company", [company("acme", status="customer"), company("globex", status="prospect"),
                                                 company("initech")]))
    records.save(store=store, entity="tie", records=[tie("tom", "ann", 0.9)])


def move_ann(store: Store) -> str:
    """ann, whom tom knows, leaves acme (CEO) for globex; returns the move id."""
    records.save(store=store, entity="employment", records=[
        job("ann", "acme", "2015-01-01", "2024-01-01", title="Chief Executive Officer"),
        job("ann", "globex", "2024-01-01", title="President"),
    ])
    (move,) = store.read(lambda tx: tx.list("move", after=None, limit=10, filters={"person_id": "ann"}))
    return move.id


def move_ben(store: Store) -> str:
    """ben, whom nobody on our team knows, a buyer, leaves acme for initech."""
    records.save(store=store, entity="employment", records=[
        job("ben", "acme", "2015-01-01", "2024-02-01", title="Buyer"),
        job("ben", "initech", "2024-02-01", title="Senior Buyer"),
    ])
    (move,) = store.read(lambda tx: tx.list("move", after=None, limit=10, filters={"person_id": "ben"}))
    return move.id


def subscribe(store: Store, url: str, **filters: Any) -> webhooks.CreatedSubscription:
    return webhooks.create(store=store, subscription=SubscriptionIn(url=url, secret=SECRET,
                                                                     filters=webhooks.Filters(**filters)))


def now() -> datetime:
    return datetime.now(timezone.utc)


def test_signature_verifies(store: Store, receiver: Receiver) -> None:
    world(store)
    sub = subscribe(store, receiver.url)
    move_id = move_ann(store)
    at = now()
    summary = Dispatcher(store, CONFIG).run_once(at)
    assert (summary.enqueued, summary.delivered, summary.failed) == (1, 1, 0)
    ((headers, body),) = receiver.requests
    signature = headers[webhooks.SIGNATURE_HEADER]
    assert signature.startswith(f"t={int(at.timestamp())},v1=")
    assert webhooks.verify(SECRET, signature, body, now=at.timestamp())
    assert not webhooks.verify(SECRET, signature, body.replace(b"globex", b"globez"), now=at.timestamp())
    assert not webhooks.verify("whsec_another-secret-000000", signature, body, now=at.timestamp())
    assert not webhooks.verify(SECRET, signature, body, now=at.timestamp() + 3600)  # too old: a replay
    assert headers[webhooks.EVENT_HEADER] == "move.detected"
    assert headers[webhooks.KEY_HEADER] == webhooks.idempotency_key(sub.id, move_id)
    event = json.loads(body)
    assert event["id"] == headers[webhooks.KEY_HEADER]
    data = event["data"]
    assert (data["move"]["id"], data["person"]["name"], data["to_company"]["status"]) == (move_id, "Ann", "prospect")
    assert (data["connected"], data["our_strength"], data["via"]) == (True, 0.9, "tom")


def test_fails_twice_then_succeeds_and_is_processed_exactly_once(store: Store) -> None:
    receiver = Receiver(fail_first=2)
    try:
        world(store)
        sub = subscribe(store, receiver.url)
        move_ann(store)
        dispatcher = Dispatcher(store, CONFIG)
        t0 = now()
        assert dispatcher.run_once(t0).failed == 1
        assert dispatcher.run_once(t0 + timedelta(seconds=5)).failed == 0  # not due yet: nothing sent
        assert len(receiver.requests) == 1
        assert dispatcher.run_once(t0 + timedelta(seconds=40)).failed == 1  # 30 s (+ jitter) later
        assert dispatcher.run_once(t0 + timedelta(seconds=200)).delivered == 1  # 60 s (+ jitter) after that
        for minutes in (10, 60, 600):
            assert dispatcher.run_once(t0 + timedelta(minutes=minutes)).delivered == 0
        keys = [headers[webhooks.KEY_HEADER] for headers, _ in receiver.requests]
        assert len(keys) == 3 and len(set(keys)) == 1
        assert [headers[webhooks.ATTEMPT_HEADER] for headers, _ in receiver.requests] == ["1", "2", "3"]
        assert [body for _, body in receiver.requests] == [receiver.requests[0][1]] * 3  # the same event each time
        assert list(receiver.processed) == keys[:1]
        log = webhooks.deliveries(store=store, subscription_id=sub.id).items
        assert [(d.attempt, d.ok, d.status_code) for d in log] == [(3, True, 200), (2, False, 500), (1, False, 500)]
        assert log[1].next_attempt_at is not None and log[0].next_attempt_at is None
        found = webhooks.get_or_raise(store=store, subscription_id=sub.id)
        assert (found.status, found.consecutive_failures, found.pending) == ("active", 0, 0)
    finally:
        receiver.close()


def test_restart_between_failure_and_retry_loses_nothing(settings: Settings, store: Store) -> None:
    receiver = Receiver(fail_first=1)
    try:
        world(store)
        subscribe(store, receiver.url)
        first = move_ann(store)
        t0 = now()
        assert Dispatcher(store, CONFIG).run_once(t0).failed == 1  # ... and the dispatcher is gone
        store.close()
        # the service is down while another move is learned by a different process
        other = open_store(settings)
        second = move_ben(other)
        other.close()
        restarted = open_store(settings)
        try:
            summary = Dispatcher(restarted, CONFIG).run_once(t0 + timedelta(minutes=5))
            assert (summary.enqueued, summary.delivered, summary.failed) == (1, 2, 0)
        finally:
            restarted.close()
        delivered = {body["data"]["move"]["id"] for body in receiver.processed.values()}
        assert delivered == {first, second}
        assert len(receiver.requests) == 3
    finally:
        receiver.close()


def test_a_dispatcher_that_dies_while_sending_leaves_a_lease_that_expires(store: Store, receiver: Receiver) -> None:
    world(store)
    subscribe(store, receiver.url)
    move_ann(store)
    t0 = now()
    crashed = Dispatcher(store, CONFIG)
    crashed.enqueue(t0)
    assert len(store.write(lambda tx: crashed._claim(tx, t0))) == 1  # claimed, then the process died
    successor = Dispatcher(store, CONFIG)
    assert successor.run_once(t0 + timedelta(seconds=30)).delivered == 0  # still leased
    assert successor.run_once(t0 + timedelta(seconds=61)).delivered == 1
    assert len(receiver.requests) == 1


def test_a_failing_subscription_is_paused_not_dropped(store: Store) -> None:
    receiver = Receiver(fail_first=-1)
    try:
        world(store)
        sub = subscribe(store, receiver.url)
        move_ann(store)
        dispatcher = Dispatcher(store, CONFIG)
        t = now()
        for step in range(3):
            summary = dispatcher.run_once(t + timedelta(hours=step))
            assert summary.failed == 1
        assert summary.paused == [sub.id]
        found = webhooks.get_or_raise(store=store, subscription_id=sub.id)
        assert (found.status, found.consecutive_failures, found.pending) == ("paused", 3, 1)
        assert "3 consecutive failed deliveries" in (found.paused_reason or "")
        move_ben(store)  # learned while paused: kept too
        assert dispatcher.run_once(t + timedelta(hours=10)).failed == 0
        assert len(receiver.requests) == 3
        assert webhooks.get_or_raise(store=store, subscription_id=sub.id).pending == 2
        receiver.fail_first = 0  # the receiver is fixed
        resumed = webhooks.resume(store=store, subscription_id=sub.id, now=t + timedelta(hours=11))
        assert (resumed.status, resumed.consecutive_failures) == ("active", 0)
        assert dispatcher.run_once(t + timedelta(hours=11)).delivered == 2
        assert len(receiver.processed) == 2
    finally:
        receiver.close()


def test_filters_and_no_duplicates_when_the_feed_is_read_again(store: Store, receiver: Receiver) -> None:
    world(store)
    early = move_ann(store)  # learned before any subscription: nobody's event
    time.sleep(0.01)
    everything = subscribe(store, receiver.url)
    connected = subscribe(store, receiver.url, connected_only=True)
    executors = subscribe(store, receiver.url, layers=["executor"])
    at_initech = subscribe(store, receiver.url, companies=["initech"])
    at_globex = subscribe(store, receiver.url, companies=["globex"])
    records.save(store=store, entity="employment", records=[  # ann moves on again
        job("ann", "globex", "2024-01-01", "2024-06-01", title="President"),
        job("ann", "initech", "2024-06-01", title="Chief Executive Officer"),
    ])
    late = next(m.id for m in store.read(lambda tx: tx.list("move", after=None, limit=10, filters={"person_id": "ann"}))
                if m.id != early)
    ben = move_ben(store)
    dispatcher = Dispatcher(store, CONFIG)
    dispatcher.run_once(now())
    got: dict[str, set[str]] = {}
    for headers, body in receiver.requests:
        move_id = json.loads(body)["data"]["move"]["id"]
        for sub in (everything, connected, executors, at_initech, at_globex):
            if headers[webhooks.KEY_HEADER] == webhooks.idempotency_key(sub.id, move_id):
                got.setdefault(sub.id, set()).add(move_id)
    assert got == {everything.id: {late, ben}, connected.id: {late}, executors.id: {ben},
                   at_initech.id: {late, ben}, at_globex.id: {late}}
    sent = len(receiver.requests)
    store.write(lambda tx: tx.put_doc(webhooks.STATE, "cursor", {"id": "cursor", "seq": 0}))  # read it all again
    assert dispatcher.run_once(now()).enqueued == 0
    assert len(receiver.requests) == sent


def test_background_dispatcher_delivers_and_stops(settings: Settings, store: Store, receiver: Receiver) -> None:
    world(store)
    subscribe(store, receiver.url)
    stop = webhooks.start_dispatcher(store, settings, DispatchConfig(poll_seconds=0.05))
    try:
        move_ann(store)
        deadline = time.monotonic() + 10
        while not receiver.processed and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop()
    assert len(receiver.processed) == 1


def test_webhooks_over_http(client: tuple[TestClient, dict[str, str]], store: Store, receiver: Receiver) -> None:  # noqa: F811
    http, reader = client
    admin = {"Authorization": f"Bearer {create_key(store=store, user='admin', scope=Scope.admin)[1]}"}
    body = {"url": receiver.url, "filters": {"layers": ["decision_maker"]}, "description": "CRM"}
    assert http.post("/webhooks", json=body, headers=reader).status_code == 403
    assert http.post("/webhooks", json={"url": "ftp://example.com/x"}, headers=admin).status_code == 422
    created = http.post("/webhooks", json=body, headers=admin)
    assert created.status_code == 201, created.text
    sub = created.json()
    assert sub["secret"].startswith("whsec_") and sub["status"] == "active"
    listed = http.get("/webhooks", headers=admin).json()
    assert [s["id"] for s in listed] == [sub["id"]] and "secret" not in listed[0]
    assert http.post(f"/webhooks/{sub['id']}/resume", headers=admin).status_code == 409  # not paused
    world(store)
    move_ann(store)
    Dispatcher(store, CONFIG).run_once(now())
    ((headers, payload),) = receiver.requests
    assert webhooks.verify(sub["secret"], headers[webhooks.SIGNATURE_HEADER], payload)
    log = http.get(f"/webhooks/{sub['id']}/deliveries", headers=admin)
    assert log.status_code == 200 and [d["ok"] for d in log.json()["items"]] == [True]
    assert http.get(f"/webhooks/{sub['id']}", headers=admin).json()["pending"] == 0
    assert http.delete(f"/webhooks/{sub['id']}", headers=admin).status_code == 204
    assert http.get(f"/webhooks/{sub['id']}", headers=admin).status_code == 404
    assert http.get(f"/webhooks/{sub['id']}/deliveries", headers=admin).status_code == 404
    assert store.read(lambda tx: tx.list_docs(webhooks.LOG, after=None, limit=10)) == []


def test_dispatchers_in_several_workers_send_each_event_once(store: Store, receiver: Receiver) -> None:
    """Workers share nothing but the store: claims are exclusive, so no event is sent twice."""
    world(store)
    subscribe(store, receiver.url)
    extra = [f"x{i}" for i in range(6)]
    store.write(lambda tx: tx.upsert("person", people(*extra)))
    records.save(store=store, entity="employment", records=[
        j for p in extra for j in (job(p, "acme", "2015-01-01", "2024-01-01", title="Engineer"),
                                   job(p, "globex", "2024-01-01", title="Engineer"))])
    at = now()
    errors: list[BaseException] = []

    def work() -> None:
        dispatcher = Dispatcher(store, CONFIG)
        try:
            for step in range(3):
                dispatcher.run_once(at + timedelta(seconds=step))
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)
        finally:
            dispatcher.close()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    keys = [headers[webhooks.KEY_HEADER] for headers, _ in receiver.requests]
    assert len(keys) == len(set(keys)) == len(extra)


def test_with_the_projection_the_event_carries_its_strength(store: Store, receiver: Receiver) -> None:
    from graph_service.projection import Projection

    world(store)
    subscribe(store, receiver.url, connected_only=True)
    move_ann(store)
    move_ben(store)
    Dispatcher(store, CONFIG, projection=Projection(store)).run_once(now())
    ((_, body),) = receiver.requests  # ben is nobody's contact
    data = json.loads(body)["data"]
    assert (data["person"]["id"], data["connected"], data["via"]) == ("ann", True, "tom")
    assert data["our_strength"] == pytest.approx(0.9, abs=1e-5)
