"""Every shipped Cypher statement documents its interface and compiles on a real Neo4j."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from graph_service.settings import Settings
from graph_service.store.neo4j import CYPHER_DIR, SHAPES, Neo4jStore, cypher

FILES = sorted(path.relative_to(CYPHER_DIR).with_suffix("").as_posix() for path in CYPHER_DIR.rglob("*.cypher"))

SCANS = ("AllNodesScan", "NodeByLabelScan", "RelationshipTypeScan", "AllRelationshipsScan")
WHOLE_LABEL = {"change/erase"}
"""Statements that must visit every node of a label: an erasure rewrites every change-feed entry naming the person."""
"""Plan operators that read a whole label or type. No statement needs one: lookups by id are
index seeks, pages are index range seeks in id order, counts come from the count store."""


def header(name: str) -> tuple[set[str], list[str]]:
    """The parameters and returned columns a file's leading comment names."""
    lines = cypher(name).splitlines()
    comments = []
    for line in lines:
        if not line.startswith("//"):
            break
        comments.append(line)
    params = [line for line in comments if line.startswith("// params:")]
    returns = [line for line in comments if line.startswith("// returns:")]
    assert comments and params and returns, f"{name}: must start with // comments naming params: and returns:"
    names = set(re.findall(r"\$(\w+)", params[0]))
    if not names:
        assert params[0].removeprefix("// params:").strip() == "none", f"{name}: params: $a, $b ... or none"
    columns_text = re.sub(r"\([^()]*\)", "", returns[0].removeprefix("// returns:")).strip()
    columns = [] if columns_text == "-" else [c.strip() for c in columns_text.split(",")]
    return names, columns


def body(name: str) -> str:
    return "\n".join(line for line in cypher(name).splitlines() if not line.lstrip().startswith("//"))


def plan_operators(plan: dict[str, Any] | None) -> Iterator[str]:
    if plan:
        yield plan["operatorType"].split("@")[0]
        for child in plan.get("children", []):
            yield from plan_operators(child)


@pytest.fixture(scope="module")
def neo4j_store(neo4j_uri: str) -> Iterator[Neo4jStore]:
    store = Neo4jStore(neo4j_uri, Settings(store=neo4j_uri, env="test"))
    store.init_schema()  # plans depend on the indexes
    yield store
    store.close()


def test_there_are_statements() -> None:
    assert len(FILES) > 50 and any(name.startswith("schema/") for name in FILES)


@pytest.mark.parametrize("name", FILES)
def test_header_names_every_parameter(name: str) -> None:
    names, _ = header(name)
    assert set(re.findall(r"\$(\w+)", body(name))) == names
    assert ";" not in body(name), "one statement per file"


@pytest.mark.parametrize("name", FILES)
def test_statement_compiles_and_returns_the_named_columns(neo4j_store: Neo4jStore, name: str) -> None:
    names, columns = header(name)
    with neo4j_store.driver.session(database=neo4j_store.database) as session:
        if name.startswith("schema/"):
            # Schema commands cannot be EXPLAINed; they are idempotent, so run them again.
            summary = session.run(cypher(name)).consume()
            assert summary.counters.system_updates == 0 and not summary.counters.contains_updates
            return
        result = session.run("EXPLAIN " + cypher(name), dict.fromkeys(names))
        assert result.keys() == columns
        operators = list(plan_operators(result.consume().plan))
    assert operators
    if name not in WHOLE_LABEL:
        assert not [op for op in operators if op.endswith(SCANS)], f"{name} scans: {operators}"


@pytest.mark.parametrize("entity", ["tie", "employment"])
def test_create_names_every_stored_property(entity: str) -> None:
    """Relationship creates list their properties one by one (no Eager plan): none may be left out."""
    shape = SHAPES[entity]
    for name in ("id", *shape.native, "fp", "doc"):
        assert f"{name}: row.props.{name}" in body(f"{shape.area}/create"), name


LOOKUPS_BY_RELATIONSHIP_ID = [f"{area}/{verb}" for area in ("tie", "employment")
                              for verb in ("fingerprints", "get", "delete", "update")]


@pytest.mark.parametrize("name", LOOKUPS_BY_RELATIONSHIP_ID)
def test_relationship_lookups_seek_their_index_while_there_are_no_relationships_yet(
        neo4j_store: Neo4jStore, name: str) -> None:
    """Planned on persons and companies but no ties yet (the start of an import), a lookup still seeks the
    id index: a plan from the labels would be cached and make every later batch scan them all."""
    neo4j_store.driver.execute_query("MATCH (n) DETACH DELETE n")
    neo4j_store.driver.execute_query("UNWIND range(1, 2000) AS i CREATE (:Person {id: 'p' + i}), (:Company {id: 'c' + i})")
    names, _ = header(name)
    with neo4j_store.driver.session(database=neo4j_store.database) as session:
        operators = list(plan_operators(session.run("EXPLAIN " + cypher(name), dict.fromkeys(names)).consume().plan))
    assert any("RelationshipUniqueIndexSeek" in op for op in operators), f"{name}: {operators}"
