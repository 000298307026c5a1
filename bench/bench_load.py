"""Load and soak test of the HTTP API: uvicorn with several workers on the embedded store, driven by wrk.

    .venv/bin/python bench/bench_load.py [--people 100000] [--soak-seconds 600] [--workers 2]
                                         [--connections 16] [--out bench/results/load.json]

Goals (issue "Resilience"), on this 2-core machine, embedded (SQLite) store, 100k-person graph:
>= 300 mixed req/s with p99 <= 200 ms, zero errors, memory growth <= 10% over the soak; a trivial
endpoint (GET /health) >= 0.7x a bare Starlette app measured beside it.

Steps:
1. Build the synthetic world (``graph_service.generate.Synthetic``) as JSON Lines import files and
   import each kind with ``import_file`` into a SQLite store, cached under
   ``$TMPDIR/sgraph-bench-load/people<N>-seed<S>/`` and reused when present. Each run works on a
   fresh copy of the cached store (the load writes to it) with a new admin key.
2. Serve it: ``uvicorn api.app:create_app --factory --workers W --no-access-log`` on a free
   127.0.0.1 port (``SGRAPH_RATE_LIMIT_PER_MINUTE`` set very high; ``MALLOC_ARENA_MAX=2`` as
   ``sgraph serve`` and the Docker image set it, for every server here); wait for ``/ready``.
3. Warm up with the mixed workload in rounds until the median latency settles (the first requests
   of each worker build its projection).
4. Soak: one wrk run of ``--soak-seconds`` with the mix of ``bench/load/mixed.lua``: 70% warm-path
   reads (35% ``POST /intro-paths`` to a random person, 35% ``GET /accounts/{id}/map`` of a random
   company), 20% lists (``GET /people?limit=50``, half of them from a random cursor), 10% writes
   (5% ``POST /people``, 5% ``PATCH /people/{id}``). wrk is closed-loop: ``--connections``
   connections each with one request in flight; latencies are wrk's (HdrHistogram, microseconds).
   The RSS of every worker is sampled (psutil) every ``--sample-seconds``; memory growth compares
   the mean of the first minute with the last minute (a fifth of the soak each, if shorter). Each
   sample also counts wrk's connections per worker: uvicorn's workers share one listening socket,
   and the first to wake accepts every connection waiting, so wrk's burst of 16 can split 8/8 or
   16/0 (then one worker does all the work and the other idles). The soak keeps its connections, so
   its throughput depends on that split; the JSON records it.
5. Per route: short runs of each kind of request alone, to say where the time goes.
6. Trivial endpoint: ``GET /health`` of the service and of ``bench/load/bare_app.py`` (a bare
   Starlette app, the goal's peer, and a bare FastAPI app: the framework's own cost), each served
   the same way, in turn with the same wrk settings; the ratios of the medians of their throughput.

wrk runs on the same 2 cores as the server (one wrk thread); the JSON records the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
import psutil  # noqa: E402

from graph_service.generate import KINDS, Synthetic, write_files  # noqa: E402
from graph_service.settings import Settings  # noqa: E402
from graph_service.store import open_store  # noqa: E402

LOAD_DIR = REPO / "bench" / "load"
LUA = LOAD_DIR / "mixed.lua"
VENV_BIN = Path(sys.executable).parent
GOALS = {"mixed_rps": 300.0, "mixed_p99_ms": 200.0, "errors": 0, "memory_growth_pct": 10.0,
         "health_ratio_to_bare_starlette": 0.7}
MIX = "intro:35,map:35,list:20,create:5,patch:5"
ROUTE_MIXES = {"intro_paths": "intro:1", "account_map": "map:1", "list_people": "list:1",
               "writes": "create:1,patch:1", "health": "health:1"}


def log(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- 1. the store -------------------------------------------------------------------------------

def cached_store(people: int, seed: int, cache_root: Path) -> tuple[Path, dict[str, Any]]:
    """The SQLite file of a ``people``-person world, built once and reused; and how it was built."""
    folder = cache_root / f"people{people}-seed{seed}"
    db, meta_file = folder / "store.db", folder / "meta.json"
    if meta_file.exists() and db.exists():
        meta = json.loads(meta_file.read_text())
        meta["reused"] = True
        return db, meta
    shutil.rmtree(folder, ignore_errors=True)
    building = cache_root / f"people{people}-seed{seed}.building-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    world = Synthetic(people, seed=seed)
    started = time.perf_counter()
    files = write_files(building / "files", world, format="jsonl")
    log(f"wrote import files in {time.perf_counter() - started:.0f} s")
    store = open_store(Settings(store=f"sqlite:///{building / 'store.db'}", env="test"))
    counts: dict[str, int] = {}
    import_seconds: dict[str, float] = {}
    from graph_service.importing.bulk import import_file

    for kind in KINDS:
        path, rows = files[kind]
        t0 = time.perf_counter()
        summary = import_file(store=store, entity=kind, path=path, batch_size=10_000)
        import_seconds[kind] = round(time.perf_counter() - t0, 1)
        counts[kind] = summary.rows
        log(f"imported {summary.rows} {kind} rows in {import_seconds[kind]} s")
    store.close()
    shutil.rmtree(building / "files")
    meta = {"people": people, "seed": seed, "companies": world.companies, "team": world.team_size,
            "person_id_format": world._pfmt, "company_id_format": world._cfmt, "counts": counts,
            "import_seconds": import_seconds, "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    (building / "meta.json").write_text(json.dumps(meta, indent=2))
    building.rename(folder)
    meta["reused"] = False
    return db, meta


def fresh_copy(db: Path, run_dir: Path) -> Path:
    target = run_dir / "store.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(db) + suffix)
        if source.exists():
            shutil.copy2(source, Path(str(target) + suffix))
    return target


def admin_token(db: Path) -> str:
    from graph_service import keys
    from graph_service.keys import Scope

    store = open_store(Settings(store=f"sqlite:///{db}", env="test"))
    try:
        _, token = keys.create(store=store, user="bench-load", scope=Scope.admin)
    finally:
        store.close()
    return token


# -- 2. servers ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PROCESS_ENV = {"MALLOC_ARENA_MAX": "2"}
"""For every server here: glibc's malloc arenas as ``sgraph serve`` and the Docker image set them for the service."""


class Server:
    """uvicorn with ``workers`` processes on a free loopback port."""

    def __init__(self, name: str, target: list[str], workers: int, env: dict[str, str], log_file: Path,
                 cwd: Path = REPO) -> None:
        self.name, self.port = name, free_port()
        self.command = [str(VENV_BIN / "uvicorn"), *target, "--host", "127.0.0.1", "--port", str(self.port),
                        "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
        self.env, self.log_file, self.cwd, self.workers = {**PROCESS_ENV, **env}, log_file, cwd, workers
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str, timeout: float = 120.0) -> None:
        self.log_handle = open(self.log_file, "wb")
        self.proc = subprocess.Popen(self.command, cwd=self.cwd, env={**os.environ, **self.env},
                                     stdout=self.log_handle, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_file}")
            try:
                if httpx.get(self.url + ready_path, timeout=5).status_code == 200 and len(self.worker_pids()) >= self.workers:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready after {timeout} s; see {self.log_file}")

    def worker_pids(self) -> list[int]:
        """The worker processes (not the supervisor, not multiprocessing's helpers)."""
        if self.proc is None:
            return []
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        pids = []
        for child in children:
            try:
                cmd = " ".join(child.cmdline())
            except psutil.Error:
                continue
            if "resource_tracker" not in cmd and "semaphore_tracker" not in cmd:
                pids.append(child.pid)
        return pids

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if getattr(self, "log_handle", None):
            self.log_handle.close()


# -- 3. wrk ---------------------------------------------------------------------------------------

def wrk(url: str, seconds: float, connections: int, threads: int, env: dict[str, str], mix: str,
        timeout_s: int = 10, commands: list[str] | None = None) -> dict[str, Any]:
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{int(seconds)}s", "--timeout",
               f"{timeout_s}s", "--latency", "-s", str(LUA), url]
    run_env = {**os.environ, **env, "SG_MIX": mix, "SG_RUN": str(time.time_ns())}
    if commands is not None:
        shown = " ".join(f"{k}={v}" for k, v in env.items() if k != "SG_TOKEN")
        commands.append(f"SG_TOKEN=<admin key> {shown} SG_MIX={mix} " + " ".join(command))
    done = subprocess.run(command, env=run_env, capture_output=True, text=True, timeout=seconds + 120)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    lat = raw["latency_us"]
    statuses = {str(k): v for k, v in sorted(raw["statuses"].items())}
    bad_status = sum(n for code, n in statuses.items() if not 200 <= int(code) < 400)
    socket_errors = sum(v for k, v in raw["errors"].items() if k != "status")
    return {
        "mix": mix, "seconds": round(raw["duration_us"] / 1e6, 2), "connections": connections, "threads": threads,
        "requests": raw["requests"], "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "latency_ms": {k: round(v / 1000, 2) for k, v in lat.items()},
        "statuses": statuses, "socket_errors": {k: v for k, v in raw["errors"].items() if k != "status"},
        "errors": bad_status + socket_errors,
    }


# -- 4. memory -----------------------------------------------------------------------------------

class RssSampler(threading.Thread):
    def __init__(self, server: Server, every: float) -> None:
        super().__init__(daemon=True)
        self.server, self.every = server, every
        self.samples: list[dict[str, Any]] = []
        self.stopped = threading.Event()
        self.t0 = time.monotonic()

    def run(self) -> None:
        while not self.stopped.is_set():
            rss: dict[str, int] = {}
            for pid in self.server.worker_pids():
                try:
                    rss[str(pid)] = psutil.Process(pid).memory_info().rss
                except psutil.Error:
                    pass
            self.samples.append({"t": round(time.monotonic() - self.t0, 1), "rss_mb": round(sum(rss.values()) / 2**20, 1),
                                 "load1": round(os.getloadavg()[0], 2),
                                 "per_worker_mb": {p: round(v / 2**20, 1) for p, v in rss.items()},
                                 "connections": connections_per_worker(self.server)})
            self.stopped.wait(self.every)

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def connections_per_worker(server: Server) -> list[int]:
    """Established client connections held by each worker, fewest first (see step 4 above)."""
    counts = []
    for pid in server.worker_pids():
        try:
            held = psutil.Process(pid).net_connections(kind="tcp")
        except psutil.Error:
            continue
        counts.append(sum(1 for c in held if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == server.port))
    return sorted(counts)


def worker_cpu_seconds(server: Server) -> float:
    total = 0.0
    for pid in server.worker_pids():
        try:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def memory_growth(samples: list[dict[str, Any]], soak_seconds: float) -> dict[str, Any]:
    window = min(60.0, soak_seconds / 5)
    end = samples[-1]["t"]
    first = [s["rss_mb"] for s in samples if s["t"] <= window]
    last = [s["rss_mb"] for s in samples if s["t"] >= end - window]
    start_mb, end_mb = statistics.mean(first), statistics.mean(last)
    pids = {pid for s in samples for pid in s["per_worker_mb"]}
    return {
        "window_seconds": round(window, 1), "samples": len(samples),
        "first_window_mean_mb": round(start_mb, 1), "last_window_mean_mb": round(end_mb, 1),
        "growth_pct": round(100 * (end_mb - start_mb) / start_mb, 2),
        "min_mb": min(s["rss_mb"] for s in samples), "max_mb": max(s["rss_mb"] for s in samples),
        "worker_pids_seen": len(pids),
        "note": "sum of the RSS of the uvicorn worker processes; a worker restart would show as more pids",
    }


# -- main -------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--soak-seconds", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--warmup-seconds", type=int, default=15, help="length of one warm-up round")
    parser.add_argument("--warmup-rounds", type=int, default=20, help="at most this many warm-up rounds")
    parser.add_argument("--route-seconds", type=int, default=15, help="length of each per-route run (0: skip)")
    parser.add_argument("--health-seconds", type=int, default=10, help="length of each /health run")
    parser.add_argument("--health-rounds", type=int, default=3, help="alternating rounds, ours then bare")
    parser.add_argument("--sample-seconds", type=float, default=5.0)
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "sgraph-bench-load")
    parser.add_argument("--build-only", action="store_true", help="build (or find) the cached store and stop")
    parser.add_argument("--note", default="", help="a remark stored in the JSON")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "load.json")
    args = parser.parse_args(argv)

    if shutil.which("wrk") is None:
        parser.error("wrk not found: apt-get install -y wrk")
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t_build = time.perf_counter()
    db, meta = cached_store(args.people, args.seed, args.cache_dir)
    log(f"store {db} ({'reused' if meta['reused'] else 'built'} in {time.perf_counter() - t_build:.0f} s)")
    if args.build_only:
        return 0

    run_dir = Path(tempfile.mkdtemp(prefix="sgraph-bench-load-run-"))
    commands: list[str] = []
    result: dict[str, Any] = {
        "benchmark": "load and soak: mixed workload against uvicorn workers on the embedded store",
        "when": started_at,
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                    "load_average_at_start": [round(x, 2) for x in load_start]},
        "goals": GOALS,
        "store": {"kind": "sqlite", **{k: v for k, v in meta.items() if k != "reused"}, "cache": str(db),
                  "reused_cache": meta["reused"]},
        "settings": {"workers": args.workers, "connections": args.connections, "wrk_threads": args.wrk_threads,
                     "soak_seconds": args.soak_seconds, "mix": MIX, "rate_limit_per_minute": 10_000_000,
                     "generator": f"wrk {subprocess.run(['wrk', '-v'], capture_output=True, text=True).stdout.split()[1]}"
                                  " (closed loop, same machine)"},
        "note": args.note,
        "commands": commands,
    }
    servers: list[Server] = []
    try:
        store_db = fresh_copy(db, run_dir)
        token = admin_token(store_db)
        env = {"SGRAPH_STORE": f"sqlite:///{store_db}", "SGRAPH_RATE_LIMIT_PER_MINUTE": "10000000",
               "SGRAPH_ENV": "development"}
        ours = Server("service", ["api.app:create_app", "--factory"], args.workers, env, run_dir / "service.log")
        servers.append(ours)
        commands.append(" ".join(f"{k}={v}" for k, v in ours.env.items()) + " " + " ".join(ours.command))
        ours.start("/ready")
        log(f"service up on {ours.url}, workers {ours.worker_pids()}")
        wenv = {"SG_TOKEN": token, "SG_PEOPLE": str(args.people), "SG_PWIDTH": meta["person_id_format"][3:-1],
                "SG_COMPANIES": str(meta["companies"]), "SG_CWIDTH": meta["company_id_format"][3:-1],
                "SG_TEAM": str(meta["team"])}

        # 3. warm-up
        rounds: list[dict[str, Any]] = []
        settled = False
        for i in range(args.warmup_rounds):
            r = wrk(ours.url, args.warmup_seconds, args.connections, args.wrk_threads, wenv, MIX, timeout_s=60)
            rounds.append({k: r[k] for k in ("requests", "rps", "latency_ms", "errors", "statuses")})
            log(f"warm-up {i + 1}: {r['rps']} req/s, p50 {r['latency_ms']['p50']} ms, p99 {r['latency_ms']['p99']} ms, "
                f"errors {r['errors']}")
            enough = [x["requests"] >= 10 * args.connections and x["errors"] == 0 for x in rounds[-2:]]
            if len(rounds) >= 2 and all(enough):
                a, b = rounds[-2]["latency_ms"]["p50"], rounds[-1]["latency_ms"]["p50"]
                if abs(a - b) <= 0.15 * max(a, b):
                    settled = True
                    break
        result["warmup"] = {"round_seconds": args.warmup_seconds, "rounds": rounds,
                            "rule": "until two successive rounds, each with >= 10 requests per connection and no "
                                    "errors, have p50 within 15% of each other (or --warmup-rounds is reached)",
                            "settled": settled}

        # 4. soak
        sampler = RssSampler(ours, args.sample_seconds)
        sampler.start()
        cpu_before = psutil.cpu_times()
        workers_cpu_before = worker_cpu_seconds(ours)
        soak = wrk(ours.url, args.soak_seconds, args.connections, args.wrk_threads, wenv, MIX, commands=commands)
        cpu_after = psutil.cpu_times()
        workers_cpu = worker_cpu_seconds(ours) - workers_cpu_before
        sampler.stop()
        busy = lambda c: c.user + c.system + c.nice + getattr(c, "irq", 0) + getattr(c, "softirq", 0)  # noqa: E731
        total = lambda c: busy(c) + c.idle + getattr(c, "iowait", 0)  # noqa: E731
        soak["machine_cpu_busy_pct"] = round(100 * (busy(cpu_after) - busy(cpu_before))
                                             / (total(cpu_after) - total(cpu_before)), 1)
        soak["workers_cpu_seconds"] = round(workers_cpu, 1)
        soak["workers_cpu_share_of_machine_pct"] = round(100 * workers_cpu / (soak["seconds"] * (os.cpu_count() or 1)), 1)
        loads = [s["load1"] for s in sampler.samples]
        soak["load_average_1min"] = {"mean": round(statistics.mean(loads), 2), "max": max(loads)}
        soak["memory"] = memory_growth(sampler.samples, args.soak_seconds)
        soak["memory"]["series"] = [[s["t"], s["rss_mb"]] for s in sampler.samples]
        splits = Counter(tuple(s["connections"]) for s in sampler.samples)
        soak["connections_per_worker"] = {"most_seen": list(splits.most_common(1)[0][0]),
                                          "seen": {str(list(k)): n for k, n in splits.items()},
                                          "note": "wrk's connections held by each worker, per memory sample"}
        result["soak"] = soak
        log(f"soak: {soak['rps']} req/s, p50 {soak['latency_ms']['p50']} ms, p99 {soak['latency_ms']['p99']} ms, "
            f"errors {soak['errors']} {soak['statuses']}, memory {soak['memory']['growth_pct']}%, "
            f"connections per worker {soak['connections_per_worker']['most_seen']}")

        # 5. per route
        if args.route_seconds:
            routes = {}
            for name, mix in ROUTE_MIXES.items():
                r = wrk(ours.url, args.route_seconds, args.connections, args.wrk_threads, wenv, mix, commands=commands)
                routes[name] = {k: r[k] for k in ("mix", "rps", "latency_ms", "errors", "statuses")}
                log(f"route {name}: {r['rps']} req/s, p50 {r['latency_ms']['p50']} ms, p99 {r['latency_ms']['p99']} ms")
            result["per_route"] = routes

        # 6. /health beside a bare Starlette app, and a bare FastAPI app (the framework's own cost)
        ours.stop()
        bare = Server("bare-starlette", ["--app-dir", str(LOAD_DIR), "bare_app:app"], args.workers, {},
                      run_dir / "bare.log")
        bare_fastapi = Server("bare-fastapi", ["--app-dir", str(LOAD_DIR), "bare_app:fastapi_app"], args.workers, {},
                              run_dir / "bare-fastapi.log")
        ours2 = Server("service", ["api.app:create_app", "--factory"], args.workers, env, run_dir / "service2.log")
        servers += [bare, bare_fastapi, ours2]
        commands += [" ".join([*(f"{k}={v}" for k, v in PROCESS_ENV.items()), *server.command])
                     for server in (bare, bare_fastapi)]
        peers = {"service": ours2, "bare_fastapi": bare_fastapi, "bare_starlette": bare}
        side: dict[str, list[dict[str, Any]]] = {key: [] for key in peers}
        for server in peers.values():
            server.start("/health")
        for i in range(args.health_rounds):
            for key, server in peers.items():
                r = wrk(server.url, args.health_seconds, args.connections, args.wrk_threads, wenv, "health:1",
                        commands=commands if i == 0 else None)
                side[key].append({k: r[k] for k in ("rps", "latency_ms", "errors")})
                log(f"/health {key}: {r['rps']} req/s, p99 {r['latency_ms']['p99']} ms")
        med = {k: statistics.median(x["rps"] for x in v) for k, v in side.items()}
        result["health_vs_bare_starlette"] = {
            "runs": side, "median_rps": med, "ratio": round(med["service"] / med["bare_starlette"], 3),
            "bare_fastapi_to_bare_starlette": round(med["bare_fastapi"] / med["bare_starlette"], 3),
            "service_to_bare_fastapi": round(med["service"] / med["bare_fastapi"], 3),
            "how": "all served by uvicorn with the same workers and flags, all up at once, "
                   "measured in turn (service, bare FastAPI, bare Starlette, ...) with the same wrk settings",
        }

        growth = soak["memory"]["growth_pct"]
        ratio = result["health_vs_bare_starlette"]["ratio"]
        result["verdicts"] = {
            "mixed_rps": {"value": soak["rps"], "goal": f">= {GOALS['mixed_rps']}", "met": soak["rps"] >= GOALS["mixed_rps"]},
            "mixed_p99_ms": {"value": soak["latency_ms"]["p99"], "goal": f"<= {GOALS['mixed_p99_ms']}",
                             "met": soak["latency_ms"]["p99"] <= GOALS["mixed_p99_ms"]},
            "errors": {"value": soak["errors"], "goal": "0", "met": soak["errors"] == 0},
            "memory_growth_pct": {"value": growth, "goal": f"<= {GOALS['memory_growth_pct']}",
                                  "met": growth <= GOALS["memory_growth_pct"]},
            "health_ratio": {"value": ratio, "goal": f">= {GOALS['health_ratio_to_bare_starlette']}",
                             "met": ratio >= GOALS["health_ratio_to_bare_starlette"]},
            "full_size": {"people": args.people, "soak_seconds": args.soak_seconds,
                          "met": args.people >= 100_000 and args.soak_seconds >= 600},
        }
        result["all_goals_met"] = all(v["met"] for v in result["verdicts"].values())
    finally:
        for server in servers:
            server.stop()
        result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        result["run_dir"] = str(run_dir)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        log(f"wrote {args.out}")
    if os.environ.get("SGRAPH_BENCH_KEEP_RUN") != "1":
        shutil.rmtree(run_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
