"""Two API worker processes on one store share nothing but the store: a write through one
is visible through the other at once (each query first applies the change feed)."""

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
