"""Benchmark of bulk tie import through the service's import path, SQLite beside Neo4j.

    .venv/bin/python bench/bench_import.py [--ties 1000000] [--neo4j-ties 200000] [--loop-rows 2000]

Measures, each in its own child process (so peak RSS is that run's own):
- SQLite: ``import_file`` of a JSON Lines file of ties (validation pass, then batched
  transactions), rows/s and peak RSS;
- Neo4j (the test server from tests/neo4j_server, full JIT, or NEO4J_URI): the same
  import path (batched UNWIND writes), and beside it a one-transaction-per-row loop over
  the same rows; the ratio is reported.
Goals (issue "Foundation"): SQLite >= 100k rows/s; Neo4j >= 30k ties/s and >= 100x the
per-row loop. Results: bench/results/import.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph_service.generate import Synthetic  # noqa: E402
from graph_service.importing.bulk import import_file  # noqa: E402
from graph_service.model import Tie  # noqa: E402
from graph_service.settings import Settings  # noqa: E402
from graph_service.store import open_store  # noqa: E402
from graph_service.store.base import scan_all  # noqa: E402

TIES_PER_PERSON = 10


def write_inputs(folder: Path, ties: int) -> tuple[Path, Path, int]:
    world = Synthetic(max(2, ties // TIES_PER_PERSON), ties_per_person=TIES_PER_PERSON, seed=1)
    persons = folder / "persons.jsonl"
    with open(persons, "w") as out:
        for row in world.rows("person"):
            out.write(json.dumps(row) + "\n")
    tie_file = folder / f"ties-{ties}.jsonl"
    written = 0
    with open(tie_file, "w") as out:
        for a, b, strength in world.tie_rows():
            out.write(json.dumps({"a": a, "b": b, "strength": strength, "kind": "colleague"}) + "\n")
            written += 1
            if written == ties:
                break
    return persons, tie_file, written


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_import(url: str, persons: Path, ties: Path, batch: int, loop_rows: int, queue: Any) -> None:
    """Child process: import persons (untimed), then ties (timed); then the per-row loop."""
    store = open_store(Settings(store=url, env="test", import_batch_size=batch))
    import_file(store=store, entity="person", path=persons, batch_size=batch)
    before = _peak_mib()
    start = time.perf_counter()
    summary = import_file(store=store, entity="tie", path=ties, batch_size=batch)
    seconds = time.perf_counter() - start
    result: dict[str, Any] = {
        "rows": summary.rows, "created": summary.created, "seconds": round(seconds, 2),
        "rows_per_s": round(summary.rows / seconds), "peak_rss_mib": round(_peak_mib()),
        "rss_before_ties_mib": round(before),
    }
    if loop_rows:
        # one transaction per row, on rows not imported yet (fresh ids), through the same store
        people = [row["id"] for row in scan_all(store, "person")][: loop_rows + 1]
        rows = [Tie(a=people[i], b=people[i + 1], kind="friend", strength=0.3, id=f"loop-{i}")
                for i in range(min(loop_rows, len(people) - 1))]
        start = time.perf_counter()
        for row in rows:
            store.write(lambda tx: tx.upsert("tie", [row]))
        loop_seconds = time.perf_counter() - start
        result["per_row_loop"] = {"rows": len(rows), "seconds": round(loop_seconds, 2),
                                  "rows_per_s": round(len(rows) / loop_seconds)}
        result["ratio_batched_to_loop"] = round(result["rows_per_s"] / result["per_row_loop"]["rows_per_s"], 1)
    store.close()
    queue.put(result)


def in_child(*args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=run_import, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ties", type=int, default=1_000_000)
    parser.add_argument("--neo4j-ties", type=int, default=200_000)
    parser.add_argument("--loop-rows", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "import.json")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="sgraph-bench-import-"))
    persons, ties, written = write_inputs(folder, args.ties)
    report: dict[str, Any] = {
        "benchmark": "bulk tie import through import_file",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg": os.getloadavg()},
        "goals": {"sqlite_rows_per_s": 100_000, "neo4j_ties_per_s": 30_000, "neo4j_ratio_to_loop": 100},
    }
    report["sqlite"] = in_child(f"sqlite:///{folder / 'bench.db'}", persons, ties, args.batch, args.loop_rows)
    print("sqlite", report["sqlite"], flush=True)

    (folder / "neo4j").mkdir()
    n_persons, n_ties, _ = write_inputs(folder / "neo4j", args.neo4j_ties)
    server = None
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        from tests.neo4j_server.server import Neo4jTestServer

        server = Neo4jTestServer(heap="2g", fast_start=False)
        uri = server.start()
    try:
        report["neo4j"] = in_child(uri, n_persons, n_ties, args.batch, args.loop_rows)
    finally:
        if server is not None:
            server.stop()
            server.cleanup()
    print("neo4j", report["neo4j"], flush=True)
    report["verdict"] = {
        "sqlite_rows_per_s_met": report["sqlite"]["rows_per_s"] >= 100_000,
        "neo4j_ties_per_s_met": report["neo4j"]["rows_per_s"] >= 30_000,
        "neo4j_ratio_met": report["neo4j"]["ratio_batched_to_loop"] >= 100,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["verdict"]))


if __name__ == "__main__":
    main()
