"""Benchmark of bounded projection mode: warm paths and worker memory as the graph grows, beside full mode.

    .venv/bin/python bench/bench_bounded.py [--sizes 10000,30000] [--queries 60] [--maps 5]
        [--out bench/results/bounded.json]

Goal (issue "Scale past one machine"): at 1M persons / 10M ties, a worker in bounded
mode answers warm-path queries at p50 <= 100 ms and holds <= 500 MiB whatever the
graph's size. Loading through the store into Neo4j runs at a few thousand records a
second here (1M persons: over an hour), so this measures at the ``--sizes`` given and
reports how memory and latency grow with the graph; the 1M figures are not measured.

For each size a throwaway Neo4j server is filled with the generated world
(``generate.Synthetic``, default parameters: ~10 ties per person, 3 interactions,
0.05 referrals, companies of 20 on average) through the store's own ``upsert``.
Then two worker processes, each its own RSS, run the same queries on it:

``bounded``
    ``BoundedProjection`` (``SGRAPH_PROJECTION_MODE=bounded``): each query reads its
    neighbourhood from Neo4j. RSS after the imports, then after the queries, and the
    process's peak.
``full``
    ``Projection``: the whole graph built from Neo4j first (time and RSS after), then
    the same queries.

Queries: ``intros.find_intro_paths`` from our team (20) to ``--queries`` random
persons (top 3, at most 4 hops, every hop explained: what ``POST /intro-paths``
does) and ``accounts.get_account_map`` of ``--maps`` random companies. Both
workers' answers are compared (a digest of every answer): ``identical`` says
whether bounded mode gave exactly the full projection's answers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402

from bench.bench_paths import fill_neo4j  # noqa: E402
from graph_service.access import OPERATOR  # noqa: E402
from graph_service.accounts import get_account_map  # noqa: E402
from graph_service.bounded import BoundedProjection  # noqa: E402
from graph_service.generate import AS_OF, Synthetic  # noqa: E402
from graph_service.intros import IntroRequest, find_intro_paths  # noqa: E402
from graph_service.projection import Projection  # noqa: E402
from graph_service.settings import Settings  # noqa: E402
from graph_service.store import open_store  # noqa: E402

GOALS = {"p50_ms": 100.0, "worker_rss_mib": 500.0, "at_people": 1_000_000}


def rss_mib() -> float:
    return round(psutil.Process().memory_info().rss / 2**20, 1)


def peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10, 1)


def summary(samples: list[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    if not ordered:
        return {"runs": 0}

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 3)

    return {"runs": len(ordered), "min": round(ordered[0], 3), "p50": round(statistics.median(ordered), 3),
            "p90": at(0.90), "p99": at(0.99), "max": round(ordered[-1], 3), "mean": round(statistics.fmean(ordered), 3)}


def queries_of(world: Synthetic, persons: int, companies: int, seed: int) -> tuple[list[str], list[str]]:
    """Random persons not on our team, and random companies (not our own)."""
    rng = random.Random(seed)
    team = set(world.team_ids)
    people = [p for p in (world.person_id(rng.randrange(world.people)) for _ in range(persons * 2)) if p not in team]
    return people[:persons], [world.company_id(rng.randrange(1, world.companies)) for _ in range(companies)]


def digest(answer: Any) -> str:
    return hashlib.sha256(json.dumps(answer, sort_keys=True, default=str).encode()).hexdigest()[:16]


def timed(items: list[str], run: Callable[[str], Any]) -> tuple[list[float], list[str]]:
    walls, digests = [], []
    for item in items:
        started = time.perf_counter()
        answer = run(item)
        walls.append((time.perf_counter() - started) * 1000)
        digests.append(digest(answer))
    return walls, digests


# -- a worker: one mode on one filled store ---------------------------------------------------------


def worker(args: argparse.Namespace) -> dict[str, Any]:
    world = Synthetic(args.size, seed=args.seed)
    people, companies = queries_of(world, args.queries, args.maps, args.seed)
    store = open_store(Settings(store=args.uri, env="test"), prepare=False)
    base = rss_mib()
    out: dict[str, Any] = {"rss_mib_after_imports": base}
    if args.part == "full":
        started = time.perf_counter()
        projection: Projection | BoundedProjection = Projection(store, today=AS_OF)
        out["build_seconds"] = round(time.perf_counter() - started, 1)
        out["rss_mib_after_build"] = rss_mib()
    else:
        projection = BoundedProjection(store, today=AS_OF)

    found: list[int] = []

    def path(person: str) -> Any:
        request = IntroRequest(person_id=person, k=3, max_hops=4)
        answer = find_intro_paths(projection=projection, request=request, viewer=OPERATOR).model_dump()
        found.append(len(answer["paths"]))
        return answer

    def account(company: str) -> Any:
        return get_account_map(store=store, projection=projection, company_id=company, viewer=OPERATOR).model_dump()

    path(people[0])  # warm the page cache and the query plans
    cpu = time.process_time()
    walls, paths = timed(people, path)
    out["paths"] = {"queries": len(people), "wall_ms": summary(walls),
                    "cpu_ms_mean": round((time.process_time() - cpu) * 1000 / len(people), 3),
                    "with_paths": sum(1 for n in found[1:] if n)}
    map_walls, maps = timed(companies, account)
    out["account_maps"] = {"queries": len(companies), "wall_ms": summary(map_walls)}
    if args.part == "bounded":
        sizes = []
        for person in people[:10]:  # one subgraph at a time, as a query holds it
            G = projection.graph(sources=None, targets=[person], hops=4)  # type: ignore[union-attr]
            sizes.append((G.number_of_edges(), len(G.graph["bounded"].expanded), G.graph["bounded"].records))
            del G
        out["subgraph"] = {name: statistics.median(row[i] for row in sizes)
                           for i, name in enumerate(("edges_p50", "expanded_p50", "records_read_p50"))}
    out["rss_mib_after_queries"] = rss_mib()
    out["peak_rss_mib"] = peak_mib()
    out["digests"] = {"paths": paths, "maps": maps}
    store.close()
    return out


def size_run(args: argparse.Namespace, size: int) -> dict[str, Any]:
    from tests.neo4j_server.server import Neo4jTestServer

    server = Neo4jTestServer(heap=args.neo4j_heap)
    try:
        uri = server.start()
        store = open_store(Settings(store=uri, env="test"))
        filled = fill_neo4j(store, Synthetic(size, seed=args.seed))
        store.close()
        parts = {}
        for part in ("bounded", "full"):
            with tempfile.TemporaryFile("w+") as out:
                command = [sys.executable, __file__, "--part", part, "--uri", uri, "--size", str(size),
                           "--queries", str(args.queries), "--maps", str(args.maps), "--seed", str(args.seed)]
                subprocess.run(command, stdout=out, check=True)
                out.seek(0)
                parts[part] = json.load(out)
        bounded, full = parts["bounded"], parts["full"]
        same = {kind: sum(a == b for a, b in zip(bounded["digests"][kind], full["digests"][kind]))
                for kind in ("paths", "maps")}
        for part in parts.values():
            del part["digests"]
        return {"people": size, "loaded": filled, "bounded": bounded, "full": full,
                "identical": {"paths": f"{same['paths']}/{args.queries}", "maps": f"{same['maps']}/{args.maps}",
                              "all": same["paths"] == args.queries and same["maps"] == args.maps}}
    finally:
        server.cleanup()


def scaling(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """How the bounded worker's memory and latency, and the full worker's memory, grow from the smallest size."""
    first, last = runs[0], runs[-1]
    growth = last["people"] / first["people"]

    def ratio(part: str, *keys: str) -> float:
        a, b = first[part], last[part]
        for key in keys:
            a, b = a[key], b[key]
        return round(b / a, 2)

    return {"people_ratio": round(growth, 1),
            "bounded_peak_rss_ratio": ratio("bounded", "peak_rss_mib"),
            "bounded_p50_ratio": ratio("bounded", "paths", "wall_ms", "p50"),
            "full_rss_after_build_ratio": ratio("full", "rss_mib_after_build"),
            "full_p50_ratio": ratio("full", "paths", "wall_ms", "p50")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,30000", help="comma-separated numbers of persons")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--maps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--neo4j-heap", default="2g")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "bounded.json")
    parser.add_argument("--part", choices=("bounded", "full"), help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        json.dump(worker(args), sys.stdout)
        return
    machine = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
               "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
               "load_1min_at_start": round(os.getloadavg()[0], 2)}
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    runs = [size_run(args, int(size)) for size in args.sizes.split(",")]
    last = runs[-1]["bounded"]
    report = {
        "benchmark": "bounded", "goals": GOALS, "at": started,
        "machine": machine | {"load_1min_at_end": round(os.getloadavg()[0], 2)},
        "command": " ".join(["bench/bench_bounded.py", *sys.argv[1:]]),
        "runs": runs,
        "scaling": scaling(runs) if len(runs) > 1 else None,
        "largest_measured": {"people": runs[-1]["people"], "bounded_p50_ms": last["paths"]["wall_ms"]["p50"],
                             "bounded_p99_ms": last["paths"]["wall_ms"]["p99"], "bounded_peak_rss_mib": last["peak_rss_mib"],
                             "met_p50": last["paths"]["wall_ms"]["p50"] <= GOALS["p50_ms"],
                             "met_rss": last["peak_rss_mib"] <= GOALS["worker_rss_mib"]},
        "not_measured": "1M persons / 10M ties: loading through the store into Neo4j takes over an hour here",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
