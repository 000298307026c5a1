"""Shared fixtures: every store test runs on the embedded SQLite store and on a real Neo4j;
``api`` is an HTTP client on each store with keys of every scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph_service import keys
from graph_service.keys import Scope
from graph_service.settings import Settings
from graph_service.store import open_store
from graph_service.store.base import Store

pytest_plugins = ["tests.neo4j_fixture"]


def _wipe_neo4j(store: Store) -> None:
    driver = store.driver  # type: ignore[attr-defined]
    driver.execute_query("MATCH (n) DETACH DELETE n")


@pytest.fixture(params=["sqlite", "neo4j"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sgraph.db'}"
    return request.getfixturevalue("neo4j_uri")


@pytest.fixture
def settings(store_url: str) -> Settings:
    return Settings(store=store_url, env="test")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A fresh, empty store of each backend."""
    store = open_store(settings)
    if not settings.store.startswith("sqlite"):
        _wipe_neo4j(store)
    yield store
    store.close()


@dataclass
class Api:
    client: TestClient
    store: Store
    tokens: dict[Scope, str]

    def headers(self, scope: Scope = Scope.admin) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[scope]}"}


@pytest.fixture
def api(settings: Settings, store: Store) -> Iterator[Api]:
    tokens = {scope: keys.create(store=store, user=f"{scope.value}-user", scope=scope)[1] for scope in Scope}
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client, store, tokens)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which backends the store contract ran on, so a green run proves both were tested."""
    passed = terminalreporter.stats.get("passed", [])
    for backend in ("sqlite", "neo4j"):
        count = sum(1 for report in passed
                    if report.nodeid.startswith("tests/store/test_contract.py") and f"[{backend}]" in report.nodeid)
        terminalreporter.write_line(f"store contract on {backend}: {count} tests passed")
