"""Fixtures for connector tests: a team member in the store, and readers of what the store holds."""

from __future__ import annotations

from typing import Any

import pytest

from graph_service import records
from graph_service.model import Person
from graph_service.store.base import Store, scan_all

TEAM = "ana"
TEAM_EMAIL = "ana.lopez@ourco.com"


@pytest.fixture
def team(store: Store) -> str:
    """Our team member Ana, who exports her connections, address book, calendar and mailbox."""
    records.save(store=store, entity="person",
                 records=[Person(id=TEAM, name="Ana López", emails=[TEAM_EMAIL], internal=True)])
    return TEAM


def rows(store: Store, entity: str) -> list[dict[str, Any]]:
    return list(scan_all(store, entity))


def by_id(store: Store, entity: str) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in scan_all(store, entity)}


def counts(store: Store) -> dict[str, int]:
    return {e: store.read(lambda tx: tx.count(e)) for e in ("person", "company", "employment", "tie", "interaction", "move")}


def person_named(store: Store, name: str) -> dict[str, Any]:
    found = [p for p in rows(store, "person") if p["name"] == name]
    assert len(found) == 1, f"{len(found)} persons named {name!r}"
    return found[0]
