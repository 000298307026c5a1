"""The embedded store's page cache: the larger bulk cache lasts as long as the bulk transaction, no longer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph_service.settings import Settings
from graph_service.store import open_store
from graph_service.store.sqlite import BULK_CACHE_KIB, BULK_ROWS, CACHE_KIB

IDS = [f"p{i}" for i in range(BULK_ROWS)]


def cache_kib(tx: Any) -> int:
    return -tx.conn.execute("PRAGMA cache_size").fetchone()[0]


def bulk_check(tx: Any) -> int:
    tx.existing_ids("person", IDS)
    return cache_kib(tx)


def test_a_bulk_batch_raises_the_page_cache_until_its_transaction_ends(tmp_path: Path) -> None:
    store = open_store(Settings(store=f"sqlite:///{tmp_path / 'sgraph.db'}", env="test"))
    try:
        assert store.read(cache_kib) == CACHE_KIB
        assert store.read(bulk_check) == BULK_CACHE_KIB
        assert store.read(cache_kib) == CACHE_KIB
        assert store.write(bulk_check) == BULK_CACHE_KIB
        assert store.read(cache_kib) == CACHE_KIB

        def failing(tx: Any) -> None:
            bulk_check(tx)
            raise RuntimeError("the import found a bad row")

        with pytest.raises(RuntimeError):
            store.write(failing)
        assert store.read(cache_kib) == CACHE_KIB
    finally:
        store.close()
