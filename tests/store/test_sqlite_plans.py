"""The embedded store answers the lookups every request makes from an index, not a table scan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph_service.feed import team_of
from graph_service.settings import Settings
from graph_service.store import open_store

LOOKUPS: dict[str, tuple[Callable[[Any], object], str]] = {
    "our team (every account map)": (team_of, "persons_internal"),
    "an account's staff on a day": (lambda tx: tx.employments_at({"acme": None}, within=(date(2020, 1, 1),
                                                                                         date(2021, 1, 1))),
                                    "employments_company_end_id"),
}


@pytest.mark.parametrize("lookup", sorted(LOOKUPS))
def test_the_lookup_uses_its_index(tmp_path: Path, lookup: str) -> None:
    store = open_store(Settings(store=f"sqlite:///{tmp_path / 'sgraph.db'}", env="test"))
    run, index = LOOKUPS[lookup]

    def plans(tx: Any) -> list[str]:
        statements: list[str] = []
        tx.conn.set_trace_callback(statements.append)
        try:
            run(tx)
        finally:
            tx.conn.set_trace_callback(None)
        return [" ".join(row[-1] for row in tx.conn.execute("EXPLAIN QUERY PLAN " + sql))
                for sql in statements if sql.lstrip().upper().startswith("SELECT")]

    found = store.read(plans)
    store.close()
    assert found and all(f"INDEX {index}" in plan for plan in found), found
