"""Each view drawn in real headless Chromium: a canvas, every node drawn, no console errors, local requests only."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import networkx as nx
import pytest

from tests.browser.conftest import PageLog, ViewServer
from tests.visualize.samples import INJECTIONS, large_network, sample_views
from visualize import export, render

pytestmark = pytest.mark.browser

SETTLE_TIMEOUT_MS = 20_000
VIEWS = sample_views()
VIEWS["network_200"] = large_network(200)

COUNT_PAINTED_PIXELS = """() => {
  const canvas = document.querySelector('#sg-network canvas');
  const ctx = canvas.getContext('2d');
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i] < 240 || pixels[i + 1] < 240 || pixels[i + 2] < 240) painted++;
  }
  return {width: canvas.width, height: canvas.height, painted: painted};
}"""


def open_view(page: Any, server: ViewServer, name: str, G: nx.Graph) -> None:
    url = server.add(f"/views/{name}.html", render.render_html(G, static_url="/static"))
    page.goto(url)
    page.wait_for_function("() => window.sgraph && window.sgraph.stabilized", timeout=SETTLE_TIMEOUT_MS)
    page.wait_for_timeout(100)  # let the last frame paint


def assert_clean(log: PageLog) -> None:
    assert log.errors == []
    assert log.dialogs == []
    assert log.blocked == []
    assert log.requests and all(urlsplit(url).hostname == "127.0.0.1" for url in log.requests), log.requests


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_renders(page_and_log: tuple[Any, PageLog], view_server: ViewServer, artifacts: Path,
                      name: str) -> None:
    page, log = page_and_log
    G = VIEWS[name]
    open_view(page, view_server, name, G)

    canvas = page.evaluate(COUNT_PAINTED_PIXELS)
    assert canvas["width"] > 300 and canvas["height"] > 300
    assert canvas["painted"] > 500, "the canvas is blank"

    api_count = export.to_data(G)["counts"]["nodes"]  # what ?format=json reports for the same view
    assert page.evaluate("window.sgraph.drawnNodeCount()") == api_count == G.number_of_nodes()
    assert page.evaluate("window.sgraph.drawnEdgeCount()") == G.number_of_edges()
    assert page.get_attribute("#sg-network", "data-node-count") == str(api_count)
    assert page.get_attribute("#sg-network", "data-state") == "stabilized"
    assert page.locator("#sg-legend li").count() >= 2

    page.screenshot(path=str(artifacts / f"view-{name}.png"))
    assert_clean(log)
    assert {urlsplit(url).path for url in log.requests} == {
        f"/views/{name}.html", "/static/vis-network.min.js", "/static/sgraph-view.js", "/static/sgraph-view.css"}


def test_tooltip_shows_injection_names_as_text(page_and_log: tuple[Any, PageLog], view_server: ViewServer,
                                                artifacts: Path) -> None:
    page, log = page_and_log
    G = VIEWS["paths"]
    open_view(page, view_server, "paths-tooltip", G)
    index = list(G).index("p:bo")  # the node named "<script>alert('x')</script>"
    point = page.evaluate(
        """(id) => { const n = window.sgraph.network; return n.canvasToDOM(n.getPositions([id])[id]); }""", index)
    box = page.locator("#sg-network").bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    text = tooltip.inner_text()
    assert INJECTIONS[0] in text and INJECTIONS[1] in text
    tags = page.evaluate("() => [...document.querySelectorAll('div.vis-tooltip *')].map(e => e.tagName)")
    assert set(tags) <= {"BR"}  # text only: innerText turns newlines into <br>, nothing else
    assert page.locator("img").count() == 0
    page.screenshot(path=str(artifacts / "view-paths-tooltip.png"))
    assert_clean(log)


def test_png_export_in_the_browser(page_and_log: tuple[Any, PageLog], view_server: ViewServer,
                                   artifacts: Path) -> None:
    page, log = page_and_log
    open_view(page, view_server, "network-png", VIEWS["network"])
    with page.expect_download() as download:
        page.click("#sg-png")
    target = artifacts / "export-network.png"
    download.value.save_as(str(target))
    assert download.value.suggested_filename == "network.png"
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert_clean(log)


def test_assets_are_cacheable(view_server: ViewServer) -> None:
    import urllib.request

    with urllib.request.urlopen(view_server.origin + "/static/vis-network.min.js") as response:
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Content-Type"].startswith("text/javascript")
