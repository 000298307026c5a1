"""Two API worker processes on one store share nothing but the store: a write through one
is visible through the other at once (each query first applies the change feed), and a
client that sends back the bookmark of its write reads that write through any worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from graph_service import keys
from graph_service.bookmarks import Bookmark
from graph_service.keys import Scope
from graph_service.settings import Settings
from graph_service.store.base import Store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def worker(store_url: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "SGRAPH_STORE": store_url, "SGRAPH_ENV": "test"}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
                                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "worker did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_write_through_one_worker_is_read_through_the_other(store: Store, settings: Settings) -> None:
    token = keys.create(store=store, user="ops", scope=Scope.write)[1]
    headers = {"Authorization": f"Bearer {token}"}
    with worker(settings.store) as one, worker(settings.store) as two:
        for person in ("ann", "bob"):
            assert httpx.post(f"{one}/people", json={"id": person, "name": person, "internal": person == "ann"},
                              headers=headers).status_code == 201
        # worker two builds its projection now, then follows the feed
        assert httpx.post(f"{two}/intro-paths", json={"person_id": "bob"}, headers=headers).json()["paths"] == []
        assert httpx.post(f"{one}/ties", json={"a": "ann", "b": "bob", "strength": 0.8}, headers=headers).status_code == 201
        paths = httpx.post(f"{two}/intro-paths", json={"person_id": "bob"}, headers=headers).json()["paths"]
        assert [[hop["target"]["id"] for hop in path["hops"]] for path in paths] == [["bob"]]
        ready = httpx.get(f"{two}/ready").json()
        assert ready["projection_lag"] == 0
        assert httpx.get(f"{two}/ties/tie-ann--bob", headers=headers).json()["strength"] == 0.8


def bookmark_of(response: httpx.Response) -> str:
    assert response.is_success, response.text
    return response.headers["Sgraph-Bookmark"]


def test_a_client_passing_its_bookmark_reads_its_own_write(store: Store, settings: Settings) -> None:
    token = keys.create(store=store, user="ops", scope=Scope.write)[1]
    headers = {"Authorization": f"Bearer {token}"}
    neo4j = not settings.store.startswith("sqlite")
    with worker(settings.store) as one, worker(settings.store) as two:
        mark = bookmark_of(httpx.post(f"{one}/people", json={"id": "ann", "name": "Ann", "internal": True},
                                      headers=headers))
        written = Bookmark.decode(mark)
        assert written.seq == store.read(lambda tx: tx.last_change()) == 1
        assert len(written.neo4j) == (1 if neo4j else 0)
        after = {**headers, "Sgraph-Bookmark": mark}
        assert httpx.get(f"{two}/people/ann", headers=after).json()["name"] == "Ann"
        # worker two has a projection now; a tie written through worker one ...
        assert httpx.post(f"{two}/intro-paths", json={"person_id": "ann"}, headers=after).json()["paths"] == []
        imported = httpx.post(f"{one}/imports/person?format=csv", content="id,name\nbob,Bob\n",
                              headers={**after, "Content-Type": "text/csv"})
        mark = bookmark_of(imported)
        assert imported.json()["created"] == 1 and Bookmark.decode(mark).seq == 2
        mark = bookmark_of(httpx.post(f"{one}/ties", json={"a": "ann", "b": "bob", "strength": 0.8},
                                      headers={**headers, "Sgraph-Bookmark": mark}))
        assert Bookmark.decode(mark).seq == 3
        after = {**headers, "Sgraph-Bookmark": mark}
        # ... is read through worker two by a request that does not query the projection, which the
        # bookmark brings up to the tie's change anyway
        assert httpx.get(f"{two}/ties/tie-ann--bob", headers=after).json()["strength"] == 0.8
        assert httpx.get(f"{two}/ready", headers={"Sgraph-Bookmark": mark}).json()["projection_lag"] == 0
        paths = httpx.post(f"{two}/intro-paths", json={"person_id": "bob"}, headers=after)
        assert "Sgraph-Bookmark" not in paths.headers  # a read commits nothing
        assert [[hop["target"]["id"] for hop in path["hops"]] for path in paths.json()["paths"]] == [["bob"]]
        # a delete through worker two, read back through worker one
        mark = bookmark_of(httpx.delete(f"{two}/ties/tie-ann--bob", headers=after))
        assert Bookmark.decode(mark).seq == 4
        gone = httpx.get(f"{one}/ties/tie-ann--bob", headers={**headers, "Sgraph-Bookmark": mark})
        assert gone.status_code == 404 and "Sgraph-Bookmark" not in gone.headers
        refused = httpx.post(f"{one}/ties", json={"a": "ann", "b": "nobody"}, headers=headers)
        assert refused.status_code == 422 and "Sgraph-Bookmark" not in refused.headers


def test_a_malformed_or_foreign_bookmark_is_refused(store: Store, settings: Settings) -> None:
    token = keys.create(store=store, user="ops", scope=Scope.read)[1]
    headers = {"Authorization": f"Bearer {token}"}
    with worker(settings.store) as one:
        for malformed in ("not-a-bookmark", "e30", Bookmark(1).encode() + "=", "x" * 5000):
            response = httpx.get(f"{one}/people", headers={**headers, "Sgraph-Bookmark": malformed})
            assert response.status_code == 400, malformed
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["title"] == "Bad Request" and "Sgraph-Bookmark" in problem["detail"]
            assert [error["field"] for error in problem["errors"]] == ["Sgraph-Bookmark"]
        # who is asking comes first; routes without an API key ignore the header
        assert httpx.get(f"{one}/people", headers={"Sgraph-Bookmark": "?"}).status_code == 401
        assert httpx.get(f"{one}/health", headers={"Sgraph-Bookmark": "?"}).status_code == 200
        # well formed, but not from this store: past the end of its change feed, or bookmarks Neo4j never issued
        for foreign in (Bookmark(5), Bookmark(0, frozenset({"FB:not-a-bookmark-of-this-database"}))):
            response = httpx.get(f"{one}/people", headers={**headers, "Sgraph-Bookmark": foreign.encode()})
            if settings.store.startswith("sqlite") and foreign.seq == 0:
                assert response.status_code == 200  # SQLite has no Neo4j bookmarks to check
                continue
            assert response.status_code == 422, response.text
            assert [error["field"] for error in response.json()["errors"]] == ["Sgraph-Bookmark"]
