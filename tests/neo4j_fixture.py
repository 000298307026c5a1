"""Pytest fixtures for a real Neo4j server.

Load from tests/conftest.py with ``pytest_plugins = ["neo4j_fixture"]`` (or import the fixtures).

- ``neo4j_uri`` (session): bolt URI of the database. Uses ``NEO4J_URI`` (with ``NEO4J_USER`` /
  ``NEO4J_PASSWORD``) when set; otherwise starts one embedded Neo4j 5.26 server for the session.
- ``neo4j_auth`` (session): ``None`` or ``(user, password)`` to pass to ``GraphDatabase.driver``.
- ``neo4j_server`` (session): the ``Neo4jTestServer`` (``kill()``, ``restart()``, ...), or ``None``
  when the database is external. A test that kills or stops it must ``restart()`` it before it
  ends (same port, same data), since the rest of the session shares it.

When the server cannot start, tests that use it are skipped, or fail under ``CI=true``.
"""

from __future__ import annotations

import os

import pytest

try:
    from tests.neo4j_server.server import Neo4jTestServer
except ImportError:  # tests/ itself is on sys.path (no tests/__init__.py)
    from neo4j_server.server import Neo4jTestServer


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Neo4j test server unavailable: {reason}", pytrace=False)
    pytest.skip(f"Neo4j test server unavailable: {reason.splitlines()[0]}")


@pytest.fixture(scope="session")
def neo4j_server():
    if os.environ.get("NEO4J_URI"):
        yield None
        return
    server = Neo4jTestServer()
    error = None
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - any failure to start means "no database"
        server.cleanup()
        error = str(exc)
    if error is not None:
        _unavailable(error)
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_server) -> str:
    return os.environ["NEO4J_URI"] if neo4j_server is None else neo4j_server.uri


@pytest.fixture(scope="session")
def neo4j_auth():
    user = os.environ.get("NEO4J_USER")
    if os.environ.get("NEO4J_URI") and user:
        return (user, os.environ.get("NEO4J_PASSWORD", ""))
    return None
