"""Headless Chromium (Debian's, driven by Playwright) and a local server for view pages.

Pages and the static assets are served from 127.0.0.1 with the CSP the API uses;
every request is recorded, and any request to another host is aborted and
fails the test. Under ``CI=true`` a missing Chromium or Playwright fails, never skips.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from visualize import assets, render

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI=true")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        _missing("Debian chromium (apt-get install chromium)")
    return str(path)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ViewServer(ThreadingHTTPServer):
    """Serves registered pages and the static assets; the stand-in for the API until it serves views."""

    daemon_threads = True

    def __init__(self, frame_ancestors: str = "'none'") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages: dict[str, bytes] = {}
        self.served: list[str] = []
        self.csp = render.content_security_policy(frame_ancestors)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def add(self, path: str, html: str) -> str:
        self.pages[path] = html.encode()
        return self.origin + path


class _Handler(BaseHTTPRequestHandler):
    server: ViewServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = urlsplit(self.path).path
        self.server.served.append(path)
        headers = {"X-Content-Type-Options": "nosniff"}
        if path.startswith("/static/") and path[len("/static/"):] in assets.assets():
            asset = assets.assets()[path[len("/static/"):]]
            body, media_type = asset.content, asset.media_type
            headers["Cache-Control"] = assets.CACHE_CONTROL
        elif path in self.server.pages:
            body, media_type = self.server.pages[path], "text/html; charset=utf-8"
            headers["Content-Security-Policy"] = self.server.csp
            headers["Cache-Control"] = "no-store"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def view_server() -> Iterator[ViewServer]:
    server = ViewServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@dataclass
class PageLog:
    """What a page did: console errors, uncaught exceptions, dialogs, every request, and blocked ones."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


@pytest.fixture
def page_and_log(browser: Any) -> Iterator[tuple[Any, PageLog]]:
    log = PageLog()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block",
                                  accept_downloads=True)

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1" or route.request.url.startswith("data:"):
            route.continue_()
        else:
            log.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda message: log.errors.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: log.errors.append(str(error)))
    page.on("request", lambda request: log.requests.append(request.url))
    page.on("requestfailed", lambda request: log.errors.append(f"request failed: {request.url}"))

    def dialog(d: Any) -> None:
        log.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    yield page, log
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
