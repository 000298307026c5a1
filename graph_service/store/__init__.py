"""Store backends behind one interface; ``open_store`` picks one from a URL."""

from __future__ import annotations

from graph_service.errors import InvalidInput, Problem
from graph_service.settings import Settings
from graph_service.store.base import Store


def open_store(settings: Settings, *, prepare: bool = True) -> Store:
    """Open the store named by ``settings.store`` and, unless told not to, prepare its schema."""
    url = settings.store
    if url.startswith("sqlite:///"):
        from graph_service.store.sqlite import SqliteStore

        store: Store = SqliteStore(url, busy_timeout=settings.sqlite_busy_timeout)
    elif url.startswith(("neo4j://", "neo4j+s://", "bolt://", "bolt+s://")):
        from graph_service.store.neo4j import Neo4jStore

        store = Neo4jStore(url, settings)
    else:
        raise InvalidInput(Problem("SGRAPH_STORE", "must start with sqlite:///, neo4j:// or bolt://"))
    if prepare:
        store.init_schema()
    return store
