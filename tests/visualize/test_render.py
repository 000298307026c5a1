"""The rendered page: small, self-contained, escaped, with a legend and a node count."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import networkx as nx
import pytest

from tests.visualize.samples import INJECTIONS, large_network, sample_views
from visualize import assets, render, style, views


class _Page(HTMLParser):
    """Collects tags, attributes, scripts and visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def page_data(html: str) -> dict:
    page = parse(html)
    [body] = [body for attrs, body in page.scripts if attrs.get("id") == "sg-data"]
    return json.loads(body)


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {name: render.render_html(G) for name, G in sample_views().items()}


def test_no_external_urls(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        assert not re.search(r"(?i)(https?:)?//[a-z0-9]", html), name
        assert "cdn" not in html.lower(), name


def test_scripts_only_from_the_static_url(pages: dict[str, str]) -> None:
    for html in pages.values():
        page = parse(html)
        sources = [attrs.get("src") for attrs, _ in page.scripts if attrs.get("src")]
        assert sources == [assets.url("/static", assets.VIS_NETWORK), assets.url("/static", assets.VIEW_JS)]
        inline = [attrs for attrs, body in page.scripts if not attrs.get("src")]
        assert inline == [{"type": "application/json", "id": "sg-data"}]  # data, never executed
        links = [attrs["href"] for tag, attrs in page.tags if tag == "link" and attrs.get("rel") == "stylesheet"]
        assert links == [assets.url("/static", assets.VIEW_CSS)]
        assert not any("style" in attrs for _, attrs in page.tags), "inline style breaks a strict CSP"
        assert "<style" not in html


def test_static_url_is_a_parameter() -> None:
    html = render.render_html(sample_views()["paths"], static_url="/app/assets/")
    assert f'src="/app/assets/vis-network.min.js?v={assets.get_or_raise(assets.VIS_NETWORK).version}"' in html


def test_200_node_view_is_under_100_kb() -> None:
    G = large_network(200)
    assert G.number_of_nodes() == 200 and G.number_of_edges() >= 390
    html = render.render_html(G)
    assert len(html.encode()) < 100_000


def test_node_count_attribute_matches_the_graph(pages: dict[str, str]) -> None:
    for name, G in sample_views().items():
        page = parse(pages[name])
        [container] = [attrs for tag, attrs in page.tags if attrs.get("id") == "sg-network"]
        assert container["data-node-count"] == str(G.number_of_nodes())
        assert container["data-edge-count"] == str(G.number_of_edges())
        data = page_data(pages[name])
        assert len(data["nodes"]) == G.number_of_nodes()
        assert len(data["edges"]) == G.number_of_edges()


def test_injection_names_are_text_not_markup(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        page = parse(html)
        assert [tag for tag, _ in page.tags].count("script") == 3, name  # no tag smuggled in
        assert not any(tag == "img" for tag, _ in page.tags), name
        assert "<script>alert" not in html and "<img src=x" not in html and "</script><script>" not in html
    data = page_data(pages["paths"])
    labels = {node["label"] for node in data["nodes"]}
    assert INJECTIONS[0] in labels  # intact after JSON decoding: drawn on the canvas as text
    tooltips = "\n".join(node["title"] for node in data["nodes"]) + "\n".join(e.get("title", "") for e in data["edges"])
    assert INJECTIONS[1] in tooltips and INJECTIONS[3] in tooltips


def test_injection_in_title_and_legend_is_escaped() -> None:
    G = nx.Graph(view="network", title=INJECTIONS[0], subtitle=INJECTIONS[1])
    G.add_node("p:x", label=INJECTIONS[2], kind="person")
    html = render.render_html(G)
    page = parse(html)
    assert INJECTIONS[0] in "".join(page.text) and INJECTIONS[1] in "".join(page.text)
    assert "&lt;script&gt;" in html and "&#34;&gt;&lt;img" in html


def test_legend_on_every_view(pages: dict[str, str]) -> None:
    expected = {
        "paths": {"Our team", "Decision-maker", "Executor", "Prospect", "Introduction hop (label: evidence)"},
        "network": {"Our team", "More ties, not drawn", "Tie of our team"},
        "account": {"Our team", "Decision-maker", "Executor", "User / influencer", "Person, layer unknown",
                    "Prospect", "Works at", "Tie of our team", "Tie (width: strength)"},
        "talent_flow": {"Customer", "Prospect", "Competitor", "Job moves (width: count)"},
    }
    for name, html in pages.items():
        page = parse(html)
        assert any(attrs.get("id") == "sg-legend" for _, attrs in page.tags), name
        assert expected[name] <= set(page.text), name


def test_hops_are_labelled_with_evidence_and_arrows_only_when_directed() -> None:
    all_views = sample_views()
    data = page_data(render.render_html(all_views["paths"]))
    hop_labels = {edge.get("label") for edge in data["edges"]}
    assert "Introduced Ann to Zhang at the 2023 tra…" in hop_labels  # short label; all of it in the tooltip
    assert any(e.get("title", "").startswith("Introduced Ann to Zhang at the 2023 trade show\n") for e in data["edges"])
    assert data["options"]["edges"]["arrows"]["to"]["enabled"] is True
    network = page_data(render.render_html(all_views["network"]))
    assert not any("arrows" in edge for edge in network["edges"])
    assert network["options"]["edges"]["arrows"]["to"]["enabled"] is False


def test_styles_follow_layer_status_influence_and_strength() -> None:
    G = nx.Graph(view="network")
    G.add_node("a", label="A", kind="person", layer="decision_maker", influence=1.0)
    G.add_node("b", label="B", kind="person", layer="executor", influence=0.0)
    G.add_node("c", label="C", kind="company", status="customer")
    G.add_edge("a", "b", kind="tie", strength=1.0)
    G.add_edge("b", "c", kind="employment")
    data = render.view_data(G)
    a, b, c = data["nodes"]
    assert (a["group"], b["group"], c["group"]) == ("layer:decision_maker", "layer:executor", "company:customer")
    assert a["size"] == style.MAX_NODE_SIZE and b["size"] == style.MIN_NODE_SIZE
    groups = data["options"]["groups"]
    assert groups["layer:decision_maker"]["color"]["background"] == style.LAYER_STYLES["decision_maker"].color
    assert groups["company:customer"]["shape"] == "square"
    tie, employment = data["edges"]
    assert tie["width"] == 6.0 and employment["dashes"] is True
    assert style.edge_width(weight=1) < style.edge_width(weight=10) <= style.MAX_EDGE_WIDTH


def test_unknown_layer_and_status_fall_back() -> None:
    assert style.node_group({"kind": "person", "layer": "chairman_of_everything"}) == "layer:unknown"
    assert style.node_group({"kind": "company", "status": "frenemy"}) == "company:other"
    assert style.node_group({"kind": "person", "internal": True, "layer": "executor"}) == "team"


def test_large_views_turn_improved_layout_off() -> None:
    assert render.view_data(large_network(150))["options"]["layout"]["improvedLayout"] is False
    assert render.view_data(large_network(50))["options"]["layout"]["improvedLayout"] is True


def test_hierarchical_account_view() -> None:
    data = render.view_data(sample_views()["account"])
    assert data["options"]["layout"]["hierarchical"]["enabled"] is True
    assert {node["level"] for node in data["nodes"]} == {0, 1, 2, 3, 4, 5}


def test_inline_assets_make_one_offline_file() -> None:
    html = render.render_html(sample_views()["paths"], inline_assets=True)
    page = parse(html)
    assert not any(attrs.get("src") for attrs, _ in page.scripts)
    assert not any(tag == "link" and attrs.get("rel") == "stylesheet" for tag, attrs in page.tags)
    assert "vis-network" in html and "sourceMappingURL" not in html


def test_empty_view_renders() -> None:
    html = render.render_html(views.talent_flow_view([]))
    assert 'data-node-count="0"' in html


def test_csp_allows_only_same_origin() -> None:
    csp = render.content_security_policy("'self' https://crm.example.com")
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert csp.endswith("frame-ancestors 'self' https://crm.example.com")


def test_assets() -> None:
    js = assets.vis_network_js()
    assert len(js) > 400_000 and b"sourceMappingURL" not in js
    assert js.rstrip().endswith(b"}));")
    assert set(assets.assets()) == {assets.VIS_NETWORK, assets.VIEW_JS, assets.VIEW_CSS}
    assert assets.get_or_raise(assets.VIEW_CSS).media_type.startswith("text/css")
    from graph_service.errors import NotFound

    with pytest.raises(NotFound):
        assets.get_or_raise("../../etc/passwd")


def test_fewer_layout_iterations_for_large_views() -> None:
    assert render.stabilization_iterations(50) == 250
    assert render.stabilization_iterations(500) == 120
    assert render.view_data(large_network(300))["options"]["physics"]["stabilization"]["iterations"] == 200


def test_no_favicon_request() -> None:
    assert '<link rel="icon" href="data:,">' in render.render_html(nx.Graph())
