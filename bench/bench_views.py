"""Benchmark of the graph views: HTML generation and time to a stabilised drawing in headless Chromium.

    .venv/bin/python bench/bench_views.py [--nodes 500] [--runs 20] [--out bench/results/views.json]

Goals (issue "Graph views"): HTML for a 500-node view in < 50 ms; a stabilised
drawing in headless Chromium in < 2 s; a 200-node page < 100 KB. The view is a
person's network with ``nodes`` nodes and as many extra ties again (about 2
edges per node), generated from a fixed seed. Browser times are read in the page
(``performance.now()`` at vis-network's ``stabilizationIterationsDone``, from
navigation start), for a cold load (empty cache) and a warm one (assets cached).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx  # noqa: E402

from visualize import assets, render, views  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
GOALS = {"html_ms": 50.0, "stabilized_ms": 2000.0, "page_bytes_200": 100_000}


def network(nodes: int, seed: int = 7) -> nx.Graph:
    """A network view of exactly ``nodes`` nodes: a center tied to all, plus ``nodes`` random ties among them."""
    rng = random.Random(seed)
    layers = ["decision_maker", "executor", "user_influencer", None]
    persons: dict[str, dict[str, Any]] = {"c": {"id": "c", "name": "Center Person", "internal": True}}
    for i in range(1, nodes):
        persons[f"person-{i:05d}"] = {"id": f"person-{i:05d}", "name": f"Person {i} Surname", "layer": layers[i % 4],
                                      "title": "Procurement Manager", "company": f"Company {i % 37}",
                                      "influence": round(rng.random(), 2)}
    ids = [pid for pid in persons if pid != "c"]
    ties = [{"a": "c", "b": pid, "strength": round(rng.uniform(0.05, 1), 2), "kind": "colleague",
             "source": "sales_accounts"} for pid in ids]
    for _ in range(nodes):
        a, b = rng.sample(ids, 2)
        ties.append({"a": a, "b": b, "strength": round(rng.uniform(0.05, 1), 2), "kind": "event",
                     "source": "industry_associations"})
    return views.network_view("c", persons=persons, ties=ties, depth=1, cap=nodes)


def summary(samples: list[float], goal: float | None = None) -> dict[str, Any]:
    ordered = sorted(samples)
    out: dict[str, Any] = {
        "runs": len(samples),
        "min": round(ordered[0], 2),
        "median": round(statistics.median(ordered), 2),
        "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2),
        "max": round(ordered[-1], 2),
    }
    if goal is not None:
        out["goal"] = goal
        out["met"] = out["median"] < goal
    return out


def bench_html(G: nx.Graph, runs: int) -> dict[str, Any]:
    render.render_html(G)  # warm-up: template compiled, assets hashed
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        render.render_html(G)
        samples.append((time.perf_counter() - start) * 1000)
    return summary(samples, GOALS["html_ms"])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, bytes]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        name = path.removeprefix("/static/")
        if name in assets.assets():
            asset = assets.assets()[name]
            body, media_type, cache = asset.content, asset.media_type, assets.CACHE_CONTROL
        elif path in self.server.pages:
            body, media_type, cache = self.server.pages[path], "text/html; charset=utf-8", "no-store"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("Content-Security-Policy", render.content_security_policy())
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def bench_browser(G: nx.Graph, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian chromium is needed: apt-get install chromium")
    server = _Server(("127.0.0.1", 0), _Handler)
    server.pages = {"/view.html": render.render_html(G).encode()}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/view.html"
    cold, warm, layout, errors, outside = [], [], [], [], []
    script = "() => ({nav: window.sgraph.stabilizedAt, layout: window.sgraph.stabilizedAt - window.sgraph.startedAt," \
             " drawn: window.sgraph.drawnNodeCount()})"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            version = browser.version
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).hostname != "127.0.0.1" else None)
                for samples in (cold, warm):  # second load: assets from the HTTP cache
                    page.goto(url)
                    page.wait_for_function("() => window.sgraph && window.sgraph.stabilized", timeout=60_000)
                    result = page.evaluate(script)
                    if result["drawn"] != G.number_of_nodes():
                        raise SystemExit(f"drew {result['drawn']} nodes of {G.number_of_nodes()}")
                    samples.append(result["nav"])
                    layout.append(result["layout"])
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {
        "chromium": version,
        "stabilized_ms_cold": summary(cold, GOALS["stabilized_ms"]),
        "stabilized_ms_warm": summary(warm, GOALS["stabilized_ms"]),
        "layout_only_ms": summary(layout),
        "console_errors": len(errors),
        "requests_outside_127.0.0.1": len(outside),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--browser-runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "views.json")
    args = parser.parse_args()

    G = network(args.nodes)
    html = render.render_html(G)
    page_200 = len(render.render_html(network(200)).encode())
    result: dict[str, Any] = {
        "benchmark": "views",
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "load_1min": round(os.getloadavg()[0], 2)},
        "view": {"kind": "network", "nodes": G.number_of_nodes(), "edges": G.number_of_edges()},
        "html_ms": bench_html(G, args.runs),
        "page_bytes": len(html.encode()),
        "page_bytes_200_nodes": {"value": page_200, "goal": GOALS["page_bytes_200"],
                                 "met": page_200 < GOALS["page_bytes_200"]},
        "static_asset_bytes": {name: len(asset.content) for name, asset in assets.assets().items()},
    }
    if not args.no_browser:
        result["browser"] = bench_browser(G, args.browser_runs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(args.out)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
