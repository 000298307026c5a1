"""The real API, served by uvicorn on 127.0.0.1 from a temporary SQLite store, drawn in headless Chromium:
each view renders a canvas with as many nodes as the API's JSON of the same query, with no console error
and no request leaving 127.0.0.1; an embed token's page draws inside another site's iframe without a key."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn

from api.app import create_app
from graph_service import keys
from graph_service.keys import Scope
from graph_service.settings import Settings
from graph_service.store import open_store
from tests.api.test_views_api import VIEWS, load_world
from tests.browser.conftest import PageLog, ViewServer
from tests.browser.test_views_render import COUNT_PAINTED_PIXELS, SETTLE_TIMEOUT_MS, assert_clean

pytestmark = pytest.mark.browser



@dataclass
class LiveApi:
    origin: str
    tokens: dict[Scope, str]

    def headers(self, scope: Scope = Scope.read) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[scope]}"}

    def call(self, method: str, path: str, scope: Scope = Scope.read, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.origin + path, data=data, method=method,
                                         headers={**self.headers(scope), "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


@pytest.fixture(scope="module")
def host_site() -> Iterator[ViewServer]:
    """Another site (another port of 127.0.0.1) whose pages embed views."""
    server = ViewServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory, host_site: ViewServer) -> Iterator[LiveApi]:
    """uvicorn in a thread on a socket bound to a free port of 127.0.0.1; the store holds the API tests' world;
    only ``host_site`` may frame its embeds."""
    settings = Settings(store=f"sqlite:///{tmp_path_factory.mktemp('live') / 'sgraph.db'}", env="test",
                        frame_ancestors=host_site.origin)
    store = open_store(settings)
    try:
        load_world(store)
        tokens = {scope: keys.create(store=store, user=f"{scope.value}-user", scope=scope)[1] for scope in Scope}
    finally:
        store.close()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield LiveApi(f"http://127.0.0.1:{sock.getsockname()[1]}", tokens)
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def _json_url(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "format=json"


def _wait_drawn(target: Any) -> None:
    target.wait_for_function("() => window.sgraph && window.sgraph.stabilized", timeout=SETTLE_TIMEOUT_MS)


@pytest.mark.parametrize("name", list(VIEWS))
def test_api_view_draws_every_node(page_and_log: tuple[Any, PageLog], live_api: LiveApi, artifacts: Path,
                                   name: str) -> None:
    page, log = page_and_log
    url = VIEWS[name]
    expected = live_api.call("GET", _json_url(url))["counts"]["nodes"]
    page.set_extra_http_headers(live_api.headers())
    response = page.goto(live_api.origin + url)
    assert response is not None and response.status == 200
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    _wait_drawn(page)
    page.wait_for_timeout(100)  # let the last frame paint

    canvas = page.evaluate(COUNT_PAINTED_PIXELS)
    assert canvas["width"] > 300 and canvas["height"] > 300
    assert canvas["painted"] > 500, "the canvas is blank"
    assert page.evaluate("window.sgraph.drawnNodeCount()") == expected > 0
    assert page.get_attribute("#sg-network", "data-node-count") == str(expected)
    page.screenshot(path=str(artifacts / f"api-view-{name}.png"))
    assert_clean(log)
    assert {urlsplit(u).path for u in log.requests} == {
        urlsplit(url).path, "/static/vis-network.min.js", "/static/sgraph-view.js", "/static/sgraph-view.css"}


def test_embed_draws_in_another_sites_iframe_without_a_key(page_and_log: tuple[Any, PageLog], live_api: LiveApi,
                                                            host_site: ViewServer, artifacts: Path) -> None:
    page, log = page_and_log
    created = live_api.call("POST", "/embeds", Scope.write,
                            {"view": "account", "params": {"company_id": "acme"}, "ttl_seconds": 600})
    expected = live_api.call("GET", _json_url(VIEWS["account"]))["counts"]["nodes"]
    host = (f'<!doctype html><title>CRM</title><iframe src="{live_api.origin}{created["url"]}" '
            'width="1100" height="700"></iframe>')
    host_site.csp = f"default-src 'none'; frame-src {live_api.origin}"
    page.goto(host_site.add("/crm.html", host))
    frame = page.frame_locator("iframe")
    frame.locator("#sg-network[data-state=stabilized]").wait_for(timeout=SETTLE_TIMEOUT_MS)
    embedded = next(f for f in page.frames if f.url.startswith(live_api.origin))
    assert embedded.evaluate("window.sgraph.drawnNodeCount()") == expected > 0
    page.wait_for_timeout(100)
    page.screenshot(path=str(artifacts / "api-embed-account.png"))
    assert_clean(log)


def test_a_site_not_in_frame_ancestors_cannot_frame_an_embed(page_and_log: tuple[Any, PageLog],
                                                              live_api: LiveApi) -> None:
    page, log = page_and_log
    created = live_api.call("POST", "/embeds", Scope.write,
                            {"view": "network", "params": {"person_id": "me"}, "ttl_seconds": 600})
    other = ViewServer()  # a third site: not in frame_ancestors
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    try:
        other.csp = f"default-src 'none'; frame-src {live_api.origin}"
        page.goto(other.add("/other.html", f'<!doctype html><iframe src="{live_api.origin}{created["url"]}"></iframe>'))
        page.wait_for_timeout(1_000)
    finally:
        other.shutdown()
        other.server_close()
        thread.join(5)
    assert not any(f.url.startswith(live_api.origin) and f.evaluate("!!window.sgraph") for f in page.frames)
    assert any("violates the following Content Security Policy directive: \"frame-ancestors" in e
               for e in log.errors), log.errors
    assert all("frame-ancestors" in e or e.startswith("request failed: " + live_api.origin) for e in log.errors)
