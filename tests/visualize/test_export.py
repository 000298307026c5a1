"""Exports: JSON with every attribute; GEXF and GraphML that read back with the same nodes and edges."""

from __future__ import annotations

import io
import json
from datetime import date

import networkx as nx
import pytest

from graph_service.errors import InvalidInput
from tests.visualize.samples import INJECTIONS, sample_views
from visualize import export


def parse_gexf(body: str) -> nx.Graph:
    return nx.read_gexf(io.BytesIO(body.encode()))


@pytest.fixture(scope="module")
def all_views() -> dict[str, nx.Graph]:
    return sample_views()


def test_json_has_nodes_edges_attributes_and_counts(all_views: dict[str, nx.Graph]) -> None:
    for name, G in all_views.items():
        data = json.loads(export.to_json(G))
        assert data["view"] == name and data["directed"] == G.is_directed()
        assert data["counts"] == {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()}
        assert {node["id"] for node in data["nodes"]} == set(G)
        assert {(e["source"], e["target"]) for e in data["edges"]} == set(G.edges)
    paths = json.loads(export.to_json(all_views["paths"]))
    bo = next(node for node in paths["nodes"] if node["id"] == "p:bo")
    assert bo["label"] == INJECTIONS[0] and bo["layer"] == "executor" and bo["influence"] == 0.5
    flow = json.loads(export.to_json(all_views["talent_flow"]))
    assert flow["params"]["since"] == "2022-01-01"
    assert next(e for e in flow["edges"] if e["source"] == "c:beta")["weight"] == 2


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_xml_exports_read_back(all_views: dict[str, nx.Graph], fmt: str) -> None:
    read = parse_gexf if fmt == "gexf" else nx.parse_graphml
    for name, G in all_views.items():
        body, media_type = export.export(G, fmt)
        assert media_type == export.FORMATS[fmt]
        H = read(body)
        assert set(map(str, H)) == set(G), name
        assert H.number_of_edges() == G.number_of_edges(), name
        assert H.is_directed() == G.is_directed(), name


def test_graphml_keeps_attributes_and_escapes_text(all_views: dict[str, nx.Graph]) -> None:
    body = export.to_graphml(all_views["paths"])
    assert "<script>" not in body and "&lt;script&gt;" in body
    H = nx.parse_graphml(body)
    assert H.nodes["p:bo"]["label"] == INJECTIONS[0]
    assert H.nodes["p:me"]["internal"] is True
    assert H.nodes["p:ceo"]["influence"] == pytest.approx(0.95)


def test_writer_safe_removes_none_lists_and_mixed_types() -> None:
    G = nx.Graph(params={"depth": 2}, since=date(2024, 1, 1), empty=None)
    G.add_node(1, label="a", tags=["x", "y"], influence=1, layer=None, extra={"k": 1})
    G.add_node(2, label="b", influence=0.5, level=3)
    G.add_edge(1, 2, strength=None, weight=2)
    H = export.writer_safe(G)
    assert set(H) == {"1", "2"}
    assert H.nodes["1"] == {"label": "a", "tags": "x; y", "influence": 1.0, "extra": '{"k": 1}'}
    assert isinstance(H.nodes["2"]["influence"], float)
    assert H.edges["1", "2"] == {"weight": 2}
    assert H.graph == {"params": '{"depth": 2}', "since": "2024-01-01"}
    parse_gexf(export.to_gexf(G))
    nx.parse_graphml(export.to_graphml(G))


def test_mixed_number_and_text_become_text() -> None:
    G = nx.Graph()
    G.add_node("a", ref="x")
    G.add_node("b", ref=7)
    assert export.writer_safe(G).nodes["b"]["ref"] == "7"
    nx.parse_graphml(export.to_graphml(G))


def test_unknown_format() -> None:
    with pytest.raises(InvalidInput):
        export.export(nx.Graph(), "xlsx")
