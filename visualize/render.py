"""A view graph to a small HTML page drawn by vis-network (nodes and edges built with pyvis).

The page holds only the view's data (as JSON in a non-executed ``<script
type="application/json">``), a legend and links to three static assets (see
:mod:`visualize.assets`): no inline script or style, no CDN, no request to any
other origin. It therefore runs under :func:`content_security_policy`.

pyvis's own page template is not used: it links Bootstrap and vis-network from
CDNs even in ``in_line`` mode. We use pyvis to build the node and edge records
and the options, and render our own template (autoescaped; the JSON is escaped
for HTML by ``tojson``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import networkx as nx
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from pyvis.edge import Edge
from pyvis.network import Network

from visualize import assets, style

LARGE_VIEW = 100
"""Above this many nodes vis-network's improvedLayout is off (slow and noisy on big graphs)."""


def stabilization_iterations(nodes: int) -> int:
    """Layout iterations before the first drawing: 250 up to 240 nodes, fewer above (each costs O(n log n))."""
    return max(120, min(250, 60_000 // max(nodes, 1)))


@lru_cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("visualize", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["json.dumps_kwargs"] = {"separators": (",", ":"), "ensure_ascii": False}
    env.globals["swatch"] = _swatch
    return env


def _swatch(entry: style.LegendEntry) -> Markup:
    """An inline SVG swatch (presentation attributes only: allowed by a strict CSP)."""
    color = escape(entry.color)
    if entry.shape == "line":
        dash = ' stroke-dasharray="4 3"' if entry.dashes else ""
        shape = f'<line x1="1" y1="8" x2="23" y2="8" stroke="{color}" stroke-width="3"{dash}/>'
    elif entry.shape == "star":
        shape = f'<polygon points="12,1 14.6,6.2 20.5,6.6 16,10.4 17.3,16 12,13 6.7,16 8,10.4 3.5,6.6 9.4,6.2" fill="{color}"/>'
    elif entry.shape in ("square", "box"):
        shape = f'<rect x="5" y="1" width="14" height="14" rx="{3 if entry.shape == "box" else 0}" fill="{color}" stroke="#888"/>'
    else:
        shape = f'<circle cx="12" cy="8" r="7" fill="{color}"/>'
    return Markup(f'<svg width="24" height="16" viewBox="0 0 24 16" aria-hidden="true">{shape}</svg>')


def _node_tooltip(attrs: Mapping[str, Any]) -> str:
    lines = [str(attrs.get("label", ""))]
    kind = attrs.get("kind", "person")
    if kind == "person":
        job = " · ".join(part for part in (attrs.get("title"), attrs.get("company")) if part)
        if job:
            lines.append(job)
        if attrs.get("internal"):
            lines.append("Our team")
        elif attrs.get("layer"):
            lines.append(f"Decision layer: {style.group_style(style.node_group(attrs)).label}")
        if attrs.get("influence") is not None:
            lines.append(f"Influence: {float(attrs['influence']):.2f}")
    elif kind == "company":
        lines.append(f"Status: {attrs.get('status') or 'other'}")
    else:
        lines = []
    if attrs.get("tooltip"):
        lines.append(str(attrs["tooltip"]))
    return "\n".join(lines)


def _options(G: nx.Graph, groups: set[str]) -> dict[str, Any]:
    n = G.number_of_nodes()
    hierarchical = bool(G.graph.get("hierarchical"))
    stabilization = {"enabled": True, "iterations": stabilization_iterations(n), "updateInterval": 50, "fit": True}
    if hierarchical:
        layout: dict[str, Any] = {"hierarchical": {
            "enabled": True, "direction": "UD", "levelSeparation": 150, "nodeSpacing": 130,
            "treeSpacing": 160, "sortMethod": "directed", "shakeTowards": "roots",
        }}
        physics: dict[str, Any] = {
            "solver": "hierarchicalRepulsion",
            "hierarchicalRepulsion": {"nodeDistance": 140, "avoidOverlap": 0.6},
            "stabilization": stabilization,
        }
        smooth: Any = {"enabled": True, "type": "cubicBezier", "forceDirection": "vertical", "roundness": 0.4}
    else:
        layout = {"improvedLayout": n <= LARGE_VIEW, "randomSeed": 7}
        physics = {
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -70, "springLength": 110, "springConstant": 0.06,
                                 "avoidOverlap": 0.3},
            "minVelocity": 1.0,
            "stabilization": stabilization,
        }
        smooth = {"enabled": True, "type": "curvedCW", "roundness": 0.15} if G.is_directed() else False
    return {
        "autoResize": True,
        "layout": layout,
        "physics": physics,
        "nodes": {"font": {"size": 14, "face": "system-ui, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "borderWidth": 1},
        "edges": {"color": {"color": style.EDGE_STYLES["tie"].color, "inherit": False}, "smooth": smooth,
                  "font": {"size": 11, "align": "middle", "strokeWidth": 3, "color": "#333333"},
                  "arrows": {"to": {"enabled": G.is_directed(), "scaleFactor": 0.6}}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": n > 300, "keyboard": False},
        "groups": style.vis_groups(groups),
    }


def view_data(G: nx.Graph) -> dict[str, Any]:
    """The vis-network data of a view graph: ``nodes``, ``edges``, ``options``, ``legend`` and ``notes``."""
    net = Network(directed=G.is_directed())
    groups: set[str] = set()
    index = {node: number for number, node in enumerate(G.nodes)}  # small ids keep the page small
    for node, attrs in G.nodes(data=True):
        group = style.node_group(attrs)
        groups.add(group)
        options: dict[str, Any] = {"group": group, "title": _node_tooltip(attrs)}
        if attrs.get("kind") != "summary":
            options["size"] = style.node_size(attrs.get("influence"))
        if attrs.get("role"):
            options["borderWidth"] = 3
        if attrs.get("level") is not None:
            options["level"] = int(attrs["level"])
        net.add_node(index[node], label=str(attrs.get("label") or node), shape=style.group_style(group).shape, **options)

    edge_keys: set[str] = set()
    team = {node for node, attrs in G.nodes(data=True) if attrs.get("internal")}
    for u, v, attrs in G.edges(data=True):
        key = style.edge_style_key(attrs, u in team or v in team)
        edge_keys.add(key)
        edge_style = style.EDGE_STYLES[key]
        options = {"width": style.edge_width(attrs.get("strength"), attrs.get("weight"))}
        if key != "tie":
            options["color"] = edge_style.color
        if edge_style.dashes:
            options["dashes"] = True
        if attrs.get("evidence"):
            options["title"] = str(attrs["evidence"])
        if attrs.get("label"):
            options["label"] = str(attrs["label"])
        # Network.add_edge scans every node and edge per call (quadratic); the view graph's
        # endpoints exist and its edges are unique, so append pyvis's edge record directly.
        net.edges.append(Edge(index[u], index[v], G.is_directed(), **options).options)
    for record in net.nodes:
        record.pop("shape", None)  # pyvis always sets one; the group carries it

    notes = ["Node size: influence." if G.graph.get("view") != "talent_flow" else "Node size: share of moves.",
             "Hover a node or a line for the evidence behind it."]
    return {
        "nodes": net.nodes,
        "edges": net.edges,
        "options": _options(G, groups),
        "legend": style.legend(groups, edge_keys),
        "notes": notes,
    }


def render_html(
    G: nx.Graph,
    *,
    static_url: str = "/static",
    export_links: Sequence[tuple[str, str]] = (),
    inline_assets: bool = False,
) -> str:
    """A view graph as an HTML page.

    Parameters
    ----------
    G
        A view graph (see :mod:`visualize`).
    static_url
        Where the assets of :mod:`visualize.assets` are served (same origin), e.g. ``/static``.
    export_links
        ``(name, href)`` pairs shown as download links (e.g. JSON, GEXF, GraphML of this view).
    inline_assets
        Put the scripts and style in the page: a single offline file (~700 KB) for ``sgraph view --out``.
        Not for serving: the page then needs ``'unsafe-inline'``.

    Returns
    -------
    The page; the container ``#sg-network`` carries ``data-node-count`` and, once the
    layout has settled, ``data-state="stabilized"``; ``window.sgraph`` exposes the network.
    """
    data = view_data(G)
    inline = None
    if inline_assets:
        inline = {
            "vis": Markup(_script_safe(assets.vis_network_js())),
            "view": Markup(_script_safe(assets.view_js())),
            "css": Markup(assets.view_css().decode().replace("</", "<\\/")),
        }
    return _environment().get_template("view.html").render(
        title=G.graph.get("title") or "View",
        subtitle=G.graph.get("subtitle") or "",
        view=G.graph.get("view") or "view",
        node_count=len(data["nodes"]),
        edge_count=len(data["edges"]),
        legend=data["legend"],
        notes=data["notes"],
        data={"nodes": data["nodes"], "edges": data["edges"], "options": data["options"]},
        export_links=list(export_links),
        inline=inline,
        css_url=assets.url(static_url, assets.VIEW_CSS),
        vis_url=assets.url(static_url, assets.VIS_NETWORK),
        view_js_url=assets.url(static_url, assets.VIEW_JS),
    )


def _script_safe(js: bytes) -> str:
    return js.decode().replace("</script", "<\\/script")


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    """The CSP a served view runs under: scripts, styles and XHR from its own origin only.

    ``frame_ancestors`` is the CSP source list of sites allowed to embed the page
    (from settings; ``'none'`` for non-embed routes, e.g. ``'self' https://crm.example.com`` for embeds).
    """
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors}"
    )
