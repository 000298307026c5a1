"""Benchmark of job moves: an employment snapshot diffed against a large store, and the moves feed.

    .venv/bin/python bench/bench_moves.py [--snapshot-people 480000] [--feed-people 960000]
        [--snapshot-rows 100000] [--runs 30] [--work DIR] [--reuse] [--out bench/results/moves.json]

Goals (issue "Job moves"): a snapshot of 100k employments diffed against a store of
1M employments in <= 10 s; the feed query over 1M moves at p50 <= 50 ms.

Both stores are embedded SQLite files filled from the synthetic generator
(``graph_service.generate``): about 2.1 employments and 1.05 job moves per person,
so 480k persons give about 1M employments and 960k persons about 1M moves. The
stores are filled with the store's own ``upsert`` (moves derived per person with
``moves.derive_moves``, exactly what an import derives); only the measured steps go
through the service code: ``apply_snapshot`` for the snapshot, ``feed.list_feed`` for
the feed (a ``FeedIndex`` without a projection: our tie strengths from stored ties;
where they come from does not change the cost of a query). With ``--reuse`` the filled stores are kept in ``--work`` and copied for
each run, so the snapshot always meets the same store.

The snapshot lists every current employee of a set of companies (largest first)
until it holds ``--snapshot-rows`` rows, as a data provider's export of those
accounts would: 90 % unchanged, 4 % with a new title (role changes), 4 % people
from other companies (job moves), and 2 % of the staff left out (their jobs end).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402

from graph_service import feed, layers  # noqa: E402
from graph_service import moves as job_moves  # noqa: E402
from graph_service.generate import AS_OF, Synthetic  # noqa: E402
from graph_service.importing.snapshot import apply_snapshot  # noqa: E402
from graph_service.model import DecisionLayer, Employment, JobMove, Tie  # noqa: E402
from graph_service.moves import is_side_position  # noqa: E402
from graph_service.settings import Settings  # noqa: E402
from graph_service.store import open_store  # noqa: E402
from graph_service.store.base import Store  # noqa: E402

GOALS = {"snapshot_seconds": 10.0, "feed_p50_ms": 50.0}
BATCH = 10_000
SNAPSHOT_DAY = date(2025, 2, 1)
"""After every generated date, so no person is skipped as 'newer knowledge'."""
LEARNED_AT = datetime(2025, 1, 1, tzinfo=timezone.utc)
BOARD_SEAT = re.compile(r"\bindependent director\b", re.IGNORECASE)
"""A board seat ``moves.is_side_position`` does not know yet; a provider lists people at their main job."""


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def summary(samples: list[float], goal: float | None = None) -> dict[str, Any]:
    ordered = sorted(samples)
    out: dict[str, Any] = {
        "runs": len(samples),
        "min": round(ordered[0], 2),
        "p50": round(statistics.median(ordered), 2),
        "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2),
        "max": round(ordered[-1], 2),
    }
    if goal is not None:
        out["goal"] = goal
        out["met"] = out["p50"] <= goal
    return out


def _batched(items: Iterator[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def world(people: int, seed: int) -> Synthetic:
    return Synthetic(people, ties_per_person=4, team_size=20, seed=seed)


@contextmanager
def layers_memoised() -> Iterator[None]:
    """Fill faster: ``derive_moves`` infers the layer of every title, and the generator has few titles.

    Used only while filling; the measured snapshot runs the service code as it is.
    """
    original = job_moves.layer_of
    infer = lru_cache(maxsize=None)(layers.infer_layer)

    def layer_of(employment: Employment) -> tuple[DecisionLayer, bool]:
        stated = employment.decision_layer
        if stated is not None and stated != DecisionLayer.unknown:
            return DecisionLayer(stated), False
        return infer(employment.title, employment.department), True

    job_moves.layer_of = layer_of  # type: ignore[assignment]
    try:
        yield
    finally:
        job_moves.layer_of = original  # type: ignore[assignment]


def fill(path: Path, people: int, seed: int) -> dict[str, Any]:
    """A store of ``people`` generated persons with their careers, job moves and our team's ties."""
    with layers_memoised():
        return _fill(path, people, seed)


def sqlite_store(path: Path, *, prepare: bool = True) -> Store:
    """The SQLite store at ``path``, opened as the service opens it."""
    return open_store(Settings(store=f"sqlite:///{path}", env="test"), prepare=prepare)


def _fill(path: Path, people: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    if path.exists():
        path.unlink()
    store = sqlite_store(path)
    generated = world(people, seed)
    counts: dict[str, int] = defaultdict(int)
    for kind in ("person", "company"):
        for batch in _batched(generated.records(kind)):
            store.write(lambda tx: tx.upsert(kind, batch))
            counts[kind] += len(batch)

    def careers() -> Iterator[tuple[list[Employment], list[JobMove]]]:
        for _, jobs in groupby(generated.records("employment"), key=lambda e: e.person_id):  # type: ignore[attr-defined]
            jobs = list(jobs)
            yield jobs, job_moves.derive_moves(jobs, learned_at=LEARNED_AT, source="bench")  # type: ignore[arg-type]

    for batch in _batched(careers(), 5_000):
        employments = [e for jobs, _ in batch for e in jobs]
        moves = [m for _, ms in batch for m in ms]
        store.write(lambda tx: (tx.upsert("employment", employments), tx.upsert("move", moves)))
        counts["employment"] += len(employments)
        counts["move"] += len(moves)
    team_ties = []
    for member in range(generated.team_size):
        for other, strength, kind, source, since in generated.ties_of(member):
            team_ties.append(Tie(a=generated.person_id(member), b=generated.person_id(other), strength=strength, kind=kind,
                                 source=source, since=date.fromordinal(since)))
    for batch in _batched(iter(team_ties)):
        store.write(lambda tx: tx.upsert("tie", batch))
        counts["tie"] += len(batch)
    store.write(lambda tx: tx.put_doc("bench", "world", {"id": "world", "people": people, "seed": seed,
                                                           "counts": dict(counts)}))
    store.close()  # the last connection to close checkpoints the WAL into the file
    return {"people": people, "seed": seed, "counts": dict(counts), "seconds": round(time.perf_counter() - started, 1)}


def prepared(work: Path, name: str, people: int, seed: int, reuse: bool) -> tuple[Path, dict[str, Any]]:
    """A fresh copy of a filled store (filled now unless ``reuse`` finds one of the same shape)."""
    base = work / f"{name}-base.db"
    info: dict[str, Any] | None = None
    if reuse and base.exists():
        probe = sqlite_store(base, prepare=False)
        doc = probe.read(lambda tx: tx.get_doc("bench", "world"))
        probe.close()
        if doc and doc["people"] == people and doc["seed"] == seed:
            info = {"people": people, "seed": seed, "counts": doc["counts"], "seconds": None, "reused": True}
    if info is None:
        print(f"filling {base} with {people:,} persons ...", file=sys.stderr)
        info = fill(base, people, seed)
    copy = work / f"{name}-run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base, copy)
    return copy, info


# -- the snapshot ----------------------------------------------------------------------------


def write_snapshot(store: Store, path: Path, rows_wanted: int, seed: int, own_company: str) -> dict[str, int]:
    """A snapshot file of whole companies' current staff, with role changes, moves in, and people left out."""
    rng = random.Random(seed)
    staff: dict[str, list[Employment]] = defaultdict(list)
    after = None
    while True:
        page = store.read(lambda tx: tx.list("employment", after=after, limit=BATCH, filters={"current": True}))
        for e in page:
            if not is_side_position(e) and not BOARD_SEAT.search(e.title):  # type: ignore[arg-type, attr-defined]
                staff[e.company_id].append(e)  # type: ignore[attr-defined]
        if len(page) < BATCH:
            break
        after = page[-1].id
    companies = sorted((c for c in staff if c != own_company),
                       key=lambda c: (-len(staff[c]), c))
    chosen, total = [], 0
    for company in companies:
        if total >= rows_wanted * 0.96:
            break
        chosen.append(company)
        total += len(staff[company])
    chosen_set = set(chosen)
    outsiders = [e for c in companies if c not in chosen_set for e in staff[c]]
    rng.shuffle(outsiders)
    kinds = {"unchanged": 0, "new_title": 0, "moved_in": 0, "left_out": 0}
    rows = []
    for company in chosen:
        for e in staff[company]:
            r = rng.random()
            if r < 0.02:
                kinds["left_out"] += 1
                continue
            title = e.title
            if r < 0.06:
                title = f"Senior {e.title}" if not e.title.startswith("Senior") else f"Head of {e.department or 'Team'}"
                kinds["new_title"] += 1
            else:
                kinds["unchanged"] += 1
            rows.append((e.person_id, company, title, e.department))
    moved_in = min(len(outsiders), int(total * 0.04))
    for e in outsiders[:moved_in]:
        rows.append((e.person_id, chosen[int(rng.random() * len(chosen))], e.title, e.department))
        kinds["moved_in"] += 1
    rng.shuffle(rows)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["person_id", "company_id", "title", "department"])
        writer.writerows(rows)
    return {"rows": len(rows), "companies": len(chosen), **kinds}


def bench_snapshot(work: Path, people: int, rows: int, seed: int, reuse: bool) -> dict[str, Any]:
    path, info = prepared(work, "snapshot", people, seed, reuse)
    store = sqlite_store(path)  # as the service opens a store: a reused copy gets today's indexes (not timed)
    snapshot = work / "snapshot.csv"
    own_company = world(people, seed).company_id(0)
    shape = write_snapshot(store, snapshot, rows, seed, own_company)
    started = time.perf_counter()
    first = apply_snapshot(store=store, path=snapshot, as_of=SNAPSHOT_DAY)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = apply_snapshot(store=store, path=snapshot, as_of=SNAPSHOT_DAY)
    again_seconds = time.perf_counter() - started
    employments = store.read(lambda tx: tx.count("employment"))
    store.close()
    return {
        "store": info,
        "employments_before": info["counts"]["employment"],
        "employments_after": employments,
        "snapshot": shape,
        "result": {k: v for k, v in vars(first).items() if k != "stale_persons"} | {"stale_persons": len(first.stale_persons)},
        "seconds": round(seconds, 2),
        "goal_seconds": GOALS["snapshot_seconds"],
        "met": seconds <= GOALS["snapshot_seconds"],
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "same_snapshot_again": {"seconds": round(again_seconds, 2), "opened": again.opened, "closed": again.closed,
                                "moves": again.moves},
    }


# -- the feed ------------------------------------------------------------------------------------


def bench_feed(work: Path, people: int, runs: int, seed: int, reuse: bool) -> dict[str, Any]:
    path, info = prepared(work, "feed", people, seed, reuse)
    store = sqlite_store(path, prepare=False)
    before = rss_mb()
    started = time.perf_counter()
    index = feed.FeedIndex(store)
    index.refresh()
    build_seconds = time.perf_counter() - started
    index_mb = rss_mb() - before
    started = time.perf_counter()
    index.refresh()
    refresh_ms = (time.perf_counter() - started) * 1000
    moves = index._snapshot.size  # noqa: SLF001 - reported, not relied on
    busiest = max(index._company_code, key=lambda c: int((index._snapshot.columns["to_co"]  # noqa: SLF001
                                                            == index._company_code[c]).sum()))  # noqa: SLF001
    year_ago = date(AS_OF.year - 1, AS_OF.month, AS_OF.day)
    queries: dict[str, dict[str, Any]] = {
        "top 50, no filter": {},
        "moves of the last year": {"since": year_ago},
        "connected to our team": {"connected": True},
        "into the busiest company": {"company_id": busiest, "direction": "in"},
        "decision-makers since 2020": {"layer": "decision_maker", "since": date(2020, 1, 1)},
        "window 2015-2019, executors, out of the busiest company": {
            "since": date(2015, 1, 1), "until": date(2019, 12, 31), "layer": "executor", "company_id": busiest,
            "direction": "out"},
    }
    first = feed.list_feed(store=store, index=index)
    queries["second page, no filter"] = {"after": first.next_cursor}
    for query in queries.values():  # warm-up
        feed.list_feed(store=store, index=index, **query)
    samples: dict[str, list[float]] = {name: [] for name in queries}
    rank_only: list[float] = []
    totals: dict[str, int] = {}
    for _ in range(runs):
        for name, query in queries.items():
            started = time.perf_counter()
            page = feed.list_feed(store=store, index=index, **query)
            samples[name].append((time.perf_counter() - started) * 1000)
            totals[name] = page.total
        started = time.perf_counter()
        index.rank()
        rank_only.append((time.perf_counter() - started) * 1000)
    store.close()
    every = [s for values in samples.values() for s in values]
    return {
        "store": info,
        "moves_indexed": moves,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "index_build_seconds": round(build_seconds, 2),
        "index_rss_mb": round(index_mb, 1),
        "refresh_without_changes_ms": round(refresh_ms, 2),
        "query_ms": summary(every, GOALS["feed_p50_ms"]),
        "rank_only_ms": summary(rank_only),
        "by_query": {name: {"matches": totals[name], **summary(values)} for name, values in samples.items()},
        "met": statistics.median(every) <= GOALS["feed_p50_ms"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot-people", type=int, default=480_000, help="persons in the snapshot store (~1M employments)")
    parser.add_argument("--feed-people", type=int, default=960_000, help="persons in the feed store (~1M moves)")
    parser.add_argument("--snapshot-rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30, help="repetitions of each feed query")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "sgraph-bench-moves")
    parser.add_argument("--reuse", action="store_true", help="keep filled stores in --work and reuse them")
    parser.add_argument("--only", choices=("snapshot", "feed"), default=None)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "moves.json")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "benchmark": "moves",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                    "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "goals": GOALS,
        "store": "sqlite",
    }
    if args.out.exists():
        previous = json.loads(args.out.read_text(encoding="utf-8"))
        result.update({k: previous[k] for k in ("snapshot", "feed") if k in previous})
    if args.only in (None, "snapshot"):
        result["snapshot"] = bench_snapshot(args.work, args.snapshot_people, args.snapshot_rows, args.seed, args.reuse)
        print(json.dumps(result["snapshot"], indent=2), file=sys.stderr)
    if args.only in (None, "feed"):
        result["feed"] = bench_feed(args.work, args.feed_people, args.runs, args.seed, args.reuse)
        print(json.dumps(result["feed"], indent=2), file=sys.stderr)
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
