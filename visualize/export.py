"""A view graph as data: JSON (nodes, edges, attributes), GEXF (Gephi) and GraphML (Cytoscape, yEd).

Exports carry exactly what the view draws, nothing more. PNG is made in the
browser (the page's PNG button), not here.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

import networkx as nx

from graph_service.errors import InvalidInput, Problem

FORMATS = {
    "json": "application/json",
    "gexf": "application/gexf+xml",
    "graphml": "application/graphml+xml",
}
"""Export format -> media type."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


def to_data(G: nx.Graph) -> dict[str, Any]:
    """The view as a JSON-able dict: ``view``, ``title``, ``params``, ``directed``, ``counts``, ``nodes``, ``edges``.

    Nodes are ``{"id": ..., <attributes>}``, edges ``{"source": ..., "target": ..., <attributes>}``;
    ``counts.nodes`` equals the number of nodes the page draws.
    """
    nodes = [{"id": str(node), **{k: _jsonable(v) for k, v in attrs.items()}} for node, attrs in G.nodes(data=True)]
    edges = [
        {"source": str(u), "target": str(v), **{k: _jsonable(val) for k, val in attrs.items()}}
        for u, v, attrs in G.edges(data=True)
    ]
    return {
        "view": G.graph.get("view"),
        "title": G.graph.get("title"),
        "subtitle": G.graph.get("subtitle"),
        "params": _jsonable(G.graph.get("params") or {}),
        "directed": G.is_directed(),
        "counts": {"nodes": len(nodes), "edges": len(edges)},
        "nodes": nodes,
        "edges": edges,
    }


def to_json(G: nx.Graph) -> str:
    return json.dumps(to_data(G), ensure_ascii=False, separators=(",", ":"))


def _scalar(value: Any) -> bool | int | float | str | None:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Enum):
        return _scalar(value.value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return "; ".join(str(_scalar(v)) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(_jsonable(value), ensure_ascii=False, sort_keys=True)
    return str(value)


def _unify(records: Iterable[dict[str, Any]]) -> None:
    """One type per attribute name, as the writers need: ints and floats -> float, any other mix -> str."""
    records = list(records)
    types: dict[str, set[type]] = defaultdict(set)
    for record in records:
        for key, value in record.items():
            types[key].add(type(value))
    for key, found in types.items():
        if len(found) < 2:
            continue
        cast: type = float if found <= {int, float} else str
        for record in records:
            if key in record:
                record[key] = cast(record[key])


def writer_safe(G: nx.Graph) -> nx.Graph:
    """A copy the GEXF and GraphML writers accept: string ids, scalar attributes, no None, one type per name."""
    H = G.__class__()
    H.graph.update({k: v for k, v in ((k, _scalar(v)) for k, v in G.graph.items()) if v is not None})
    for node, attrs in G.nodes(data=True):
        H.add_node(str(node), **{k: v for k, v in ((k, _scalar(v)) for k, v in attrs.items()) if v is not None})
    for u, v, attrs in G.edges(data=True):
        H.add_edge(str(u), str(v), **{k: x for k, x in ((k, _scalar(x)) for k, x in attrs.items()) if x is not None})
    _unify(attrs for _, attrs in H.nodes(data=True))
    _unify(attrs for _, _, attrs in H.edges(data=True))
    return H


def to_gexf(G: nx.Graph) -> str:
    return "\n".join(nx.generate_gexf(writer_safe(G)))


def to_graphml(G: nx.Graph) -> str:
    return "\n".join(nx.generate_graphml(writer_safe(G)))


def export(G: nx.Graph, format: str) -> tuple[str, str]:
    """``(body, media type)`` of the view in ``format`` (``json`` | ``gexf`` | ``graphml``)."""
    if format == "json":
        return to_json(G), FORMATS["json"]
    if format == "gexf":
        return to_gexf(G), FORMATS["gexf"]
    if format == "graphml":
        return to_graphml(G), FORMATS["graphml"]
    raise InvalidInput(Problem("format", f"must be one of {', '.join(FORMATS)}"))
