"""Benchmark of influence: weighted PageRank and sampled betweenness at scale, and one account map.

    .venv/bin/python bench/bench_influence.py [--people 1000000] [--ties-per-person 10] [--k 256]
        [--map-people 120000] [--out bench/results/influence.json]

Goals (issue "Account maps and influence"), on the 1M-person / 10M-tie graph of
``graph_service.generate``:

- weighted PageRank <= 5 s including the step from the projection (an
  ``nx.Graph`` of persons) to the sparse matrix; ``nx.pagerank`` on an
  ``nx.DiGraph`` built from the same edges (both directions) is timed beside it,
  with the ratio and the largest difference between the two answers;
- sampled betweenness (k = 256 sources, fixed seed) <= 90 s;
- one account map of a company of 5,000 current employees <= 200 ms, on a world
  of ``--map-people`` persons imported into SQLite (cold: first map after the
  projection was built; warm: repeated with the cache cleared, so the team's
  reach is cached but the map is computed again).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx  # noqa: E402

from graph_service import influence  # noqa: E402
from graph_service.generate import Synthetic  # noqa: E402

GOALS = {"pagerank_s": 5.0, "betweenness_s": 90.0, "account_map_ms": 200.0}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def summary(samples: list[float], goal: float | None = None, digits: int = 3) -> dict[str, Any]:
    ordered = sorted(samples)
    out: dict[str, Any] = {"runs": len(samples), "min": round(ordered[0], digits),
                           "median": round(statistics.median(ordered), digits), "max": round(ordered[-1], digits)}
    if goal is not None:
        out["goal"] = goal
        out["met"] = out["median"] <= goal
    return out


def edges(world: Synthetic) -> Iterator[tuple[str, str, float]]:
    return world.tie_rows()


def person_graph(world: Synthetic) -> nx.Graph:
    """The projection's shape: persons, ties with ``strength`` and ``cost = -log strength``."""
    G = nx.Graph()
    G.add_nodes_from(world.person_id(i) for i in range(world.people))
    G.add_edges_from((a, b, {"strength": s, "cost": -math.log(s)}) for a, b, s in edges(world))
    return G


def bench_pagerank(G: nx.Graph, runs: int) -> tuple[dict[str, Any], dict[str, float]]:
    totals, matrices = [], []
    ranks: dict[str, float] = {}
    for _ in range(runs):
        seconds, ranks = timed(lambda: influence.weighted_pagerank(G, "strength"))
        totals.append(seconds)
        matrices.append(timed(lambda: influence._adjacency(G, "strength"))[0])
        gc.collect()
    return {"seconds": summary(totals, GOALS["pagerank_s"]), "seconds_projection_to_matrix": summary(matrices)}, ranks


def bench_networkx_pagerank(world: Synthetic, ours: dict[str, float]) -> dict[str, Any]:
    build, D = timed(lambda: _digraph(world))
    seconds, reference = timed(lambda: nx.pagerank(D, weight="strength"))
    diff = max(abs(reference[n] - ours[n]) for n in reference)
    return {"seconds": round(seconds, 3), "seconds_building_digraph": round(build, 1),
            "digraph_edges": D.number_of_edges(), "max_abs_difference": diff}


def _digraph(world: Synthetic) -> nx.DiGraph:
    D = nx.DiGraph()
    D.add_nodes_from(world.person_id(i) for i in range(world.people))
    for a, b, s in edges(world):
        D.add_edge(a, b, strength=s)
        D.add_edge(b, a, strength=s)
    return D


def bench_betweenness(G: nx.Graph, k: int) -> dict[str, Any]:
    seconds, scores = timed(lambda: influence.brokers(G, k=k, seed=42))
    top = sorted(scores, key=scores.get, reverse=True)[:5]
    return {"k": k, "seed": 42, "distance": "hops", "seconds": round(seconds, 2),
            "goal": GOALS["betweenness_s"], "met": seconds <= GOALS["betweenness_s"],
            "top": [{"person": p, "betweenness": scores[p]} for p in top]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--ties-per-person", type=float, default=10.0)
    parser.add_argument("--k", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-networkx", action="store_true", help="do not time nx.pagerank (needs ~8 GB more)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "influence.json")
    args = parser.parse_args()

    world = Synthetic(args.people, ties_per_person=args.ties_per_person)
    build, G = timed(lambda: person_graph(world))
    result: dict[str, Any] = {
        "benchmark": "influence",
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "load_1min": round(os.getloadavg()[0], 2)},
        "graph": {"people": G.number_of_nodes(), "ties": G.number_of_edges(), "seconds_building": round(build, 1)},
    }
    pagerank, ours = bench_pagerank(G, args.runs)
    result["pagerank"] = pagerank
    result["betweenness"] = bench_betweenness(G, args.k)
    del G
    gc.collect()
    if not args.skip_networkx:
        reference = bench_networkx_pagerank(world, ours)
        reference["ratio_networkx_to_ours"] = round(reference["seconds"] / pagerank["seconds"]["median"], 2)
        result["pagerank"]["networkx_digraph"] = reference
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(args.out)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
