"""Queries on the projection take turns in arrival order, without holding request threads while they wait."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import anyio.to_thread

from tests.conftest import Api


async def _busy_request_threads() -> int:
    return int(anyio.to_thread.current_default_thread_limiter().borrowed_tokens)


def _wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_graph_queries_are_answered_in_arrival_order_and_wait_without_a_thread(api: Api) -> None:
    h = api.headers()
    for person in ({"id": "ann", "name": "Ann", "internal": True}, {"id": "bob", "name": "Bob"}):
        assert api.client.post("/people", json=person, headers=h).status_code == 201
    assert api.client.post("/ties", json={"a": "ann", "b": "bob", "strength": 0.5}, headers=h).status_code == 201
    assert api.client.post("/intro-paths", json={"person_id": "bob"}, headers=h).status_code == 200


    def busy() -> int:
        return api.client.portal.call(_busy_request_threads)

    finished: list[str] = []

    def ask(name: str, method: str, path: str) -> None:
        response = api.client.request(method, path, headers=h, json={"person_id": "bob"} if method == "POST" else None)
        assert response.status_code == 200, response.text
        finished.append(name)

    projection = api.client.app.state.projection
    queries = [threading.Thread(target=ask, args=(name, method, path)) for name, method, path in (
        ("first", "POST", "/intro-paths"), ("second", "POST", "/intro-paths"),
        ("third", "POST", "/intro-paths"))]
    with projection._lock:  # the first query gets its turn, then waits inside for the graph
        queries[0].start()
        _wait_until(lambda: busy() == 1)
        for query in queries[1:]:
            query.start()
            time.sleep(0.3)
        assert busy() == 1  # the later ones wait for their turn, not in request threads
        other = api.client.get("/people?limit=1", headers=h)  # routes that do not read the graph go on
        assert other.status_code == 200 and finished == []
    for query in queries:
        query.join(timeout=30)
    assert finished == ["first", "second", "third"]
