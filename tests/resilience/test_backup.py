"""Backup and restore: a round trip between SQLite and Neo4j gives identical query answers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from graph_service.backup import export_graph, restore_graph
from graph_service.errors import InvalidInput
from graph_service.generate import generate
from graph_service.importing.bulk import import_records
from graph_service.access import OPERATOR
from graph_service.intros import IntroRequest, find_intro_paths
from graph_service.projection import Projection
from graph_service.settings import Settings
from graph_service.store import open_store
from graph_service.store.base import Store
from tests.conftest import _wipe_neo4j
from tests.resilience.test_faults import dump


def other_store(store: Store, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if store.url.startswith("sqlite"):
        target = open_store(Settings(store=request.getfixturevalue("neo4j_uri"), env="test"))
        _wipe_neo4j(target)
        return target
    return open_store(Settings(store=f"sqlite:///{tmp_path / 'restored.db'}", env="test"))


def answers(store: Store) -> list[list[str]]:
    projection = Projection(store)
    team = sorted(projection.graph.graph["team"])
    people = sorted(projection.graph.nodes)[-5:]
    result = []
    for person in people:
        paths = find_intro_paths(projection=projection, request=IntroRequest(person_id=person, sources=team[:5]), viewer=OPERATOR)
        result += [[hop.target.id for hop in path.hops] + [f"{path.score:.9f}"] for path in paths.paths]
    return result


def test_round_trip_between_backends(store: Store, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    for entity, records in generate(300, team_size=5, seed=3).items():
        import_records(store=store, entity=entity, records_in=records, source="test")
    backup = tmp_path / "backup.jsonl"
    with open(backup, "w", encoding="utf-8") as out:
        counts = export_graph(store=store, out=out)
    assert counts["person"] == 300 and counts["tie"] > 0
    target = other_store(store, tmp_path, request)
    try:
        restore_graph(store=target, path=backup)
        assert dump(target) == dump(store)
        assert answers(target) == answers(store)
    finally:
        target.close()


def test_restore_refuses_other_files(store: Store, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text('{"format": "sgraph-backup", "version": 99}\n')
    with pytest.raises(InvalidInput, match="version"):
        restore_graph(store=store, path=wrong)
    wrong.write_text("id,name\n")
    with pytest.raises(InvalidInput, match="not an sgraph-backup"):
        restore_graph(store=store, path=wrong)
    buffer = io.StringIO()
    export_graph(store=store, out=buffer)
    assert buffer.getvalue().count("\n") == 1  # an empty store: the header only
