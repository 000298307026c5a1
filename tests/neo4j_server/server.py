"""Start and stop a throwaway Neo4j 5.26 Community server (embedded, Bolt only) for tests.

    server = Neo4jTestServer()
    uri = server.start()      # "bolt://127.0.0.1:PORT", auth disabled
    ...
    server.kill()             # SIGKILL, for fault tests
    server.restart()          # same port, same data directory
    server.stop()             # SIGTERM, then SIGKILL if it hangs
    server.cleanup()          # remove the data directory it created

Run in the foreground with ``python -m tests.neo4j_server.server [--port N] [--home DIR]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "target"
JAR = TARGET / "neo4j-test-server-1.0.jar"
LIB = TARGET / "lib"
CDS_ARCHIVE = TARGET / "neo4j-classes.jsa"
MAIN_CLASS = "sgraph.testserver.Launcher"
READY = "NEO4J_READY "

# Neo4j's own defaults for the server JVM (neo4j.conf, server.jvm.additional), minus
# -XX:+AlwaysPreTouch (slow start, large RSS), plus fail-fast on OOM.
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dsgraph.watchStdin=true",
]


def java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if not java:
        raise RuntimeError("java not found: install a JDK 17+ (e.g. apt-get install openjdk-17-jdk-headless)")
    return java


def _cds_default() -> bool:
    # NEO4J_TEST_CDS=1/0 forces it; by default off under CI=true, whose fresh checkout
    # would only pay for writing an archive that no later run reuses.
    setting = os.environ.get("NEO4J_TEST_CDS")
    if setting is not None:
        return setting != "0"
    return os.environ.get("CI", "").lower() != "true"


def ensure_built() -> None:
    """Build the launcher with Maven unless target/ is newer than the sources."""
    sources = [HERE / "pom.xml", *HERE.joinpath("src").rglob("*.java")]
    if JAR.exists() and LIB.is_dir() and JAR.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return
    mvn = shutil.which("mvn")
    if not mvn:
        raise RuntimeError("mvn not found: install Maven (e.g. apt-get install maven)")
    CDS_ARCHIVE.unlink(missing_ok=True)  # tied to the exact jars it was made from
    proc = subprocess.run(
        [mvn, "-q", "-B", "-f", str(HERE / "pom.xml"), "package", "-DskipTests"],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"building the Neo4j launcher failed:\n{proc.stdout[-4000:]}{proc.stderr[-4000:]}")
    JAR.touch()  # Maven leaves an unchanged jar alone; mark it as up to date with the sources


class Neo4jTestServer:
    def __init__(self, port: int = 0, home: str | Path | None = None, heap: str = "1g",
                 startup_timeout: float = 120.0, use_cds: bool | None = None, fast_start: bool = True):
        self.port = port                  # 0: the OS picks one at first start, then it sticks
        self.home = Path(home) if home else None
        self._owns_home = home is None
        self.heap = heap
        self.startup_timeout = startup_timeout
        self.use_cds = use_cds if use_cds is not None else _cds_default()
        # C1-only JIT starts about twice as fast on 2 cores (test workloads are short);
        # benchmarks want the full JIT.
        self.jit_flags = ["-XX:TieredStopAtLevel=1"] if fast_start else []
        self.proc: subprocess.Popen | None = None
        self._cds_tmp: Path | None = None

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        """The launcher's stdout/stderr; Neo4j's own logs are in home/logs/debug.log."""
        return self.home / "launcher.log"

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> str:
        """Start the server (building it first if needed) and return its bolt URI."""
        if self.is_running():
            return self.uri
        ensure_built()
        if self.home is None:
            self.home = Path(tempfile.mkdtemp(prefix="sgraph-neo4j-"))
        self.home.mkdir(parents=True, exist_ok=True)

        cmd = [java_executable(), "-Xms256m", f"-Xmx{self.heap}", *self.jit_flags, *JVM_FLAGS, *self._cds_flags(),
               "-cp", f"{JAR}{os.pathsep}{LIB}/*", MAIN_CLASS, str(self.home), str(self.port)]
        log = open(self.log_file, "a", encoding="utf-8")
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(cmd)}\n")
        log.flush()
        # stdin stays an open pipe: the server exits on EOF, i.e. when this process dies.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                                     errors="replace", start_new_session=True)
        ready = threading.Event()
        threading.Thread(target=self._pump_output, args=(self.proc, log, ready), daemon=True).start()

        deadline = time.monotonic() + self.startup_timeout
        while not ready.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                reason = ("exited with code %s" % self.proc.returncode if self.proc.poll() is not None
                          else f"not ready after {self.startup_timeout:.0f}s")
                self.kill()
                raise RuntimeError(f"Neo4j test server {reason}; see {self.log_file}:\n{self._log_tail()}")
        return self.uri

    def stop(self, timeout: float = 60.0) -> None:
        """Shut down cleanly (SIGTERM); SIGKILL if it takes longer than `timeout`."""
        if not self.is_running():
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return
        self._finish()

    def kill(self) -> None:
        """SIGKILL the server, as a crash would (data on disk is recovered at next start)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._finish()

    def restart(self) -> str:
        """Stop if running, then start again on the same port with the same data directory."""
        self.stop()
        return self.start()

    def cleanup(self) -> None:
        """Stop and delete the data directory if this object created it."""
        self.stop()
        if self._owns_home and self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None

    def __enter__(self) -> "Neo4jTestServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()

    # -- internals ---------------------------------------------------------------------

    def _pump_output(self, proc: subprocess.Popen, log, ready: threading.Event) -> None:
        with proc.stdout, log:
            for line in proc.stdout:
                log.write(line)
                log.flush()
                if line.startswith(READY):
                    self.port = int(line.strip().rsplit(":", 1)[1])
                    ready.set()

    def _cds_flags(self) -> list[str]:
        # Class-data sharing: the first run records the loaded classes into an archive when it
        # exits cleanly; later runs map it and start much faster. A stale or broken archive
        # is ignored by the JVM (-Xshare:auto), so this can only cost time, never fail a start.
        self._cds_tmp = None
        if not self.use_cds:
            return []
        if CDS_ARCHIVE.exists() and CDS_ARCHIVE.stat().st_mtime < JAR.stat().st_mtime:
            CDS_ARCHIVE.unlink(missing_ok=True)  # made from an older build
        if CDS_ARCHIVE.exists():
            return [f"-XX:SharedArchiveFile={CDS_ARCHIVE}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
        self._cds_tmp = CDS_ARCHIVE.with_name(f"{CDS_ARCHIVE.name}.{os.getpid()}.{id(self)}.tmp")
        return [f"-XX:ArchiveClassesAtExit={self._cds_tmp}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]

    def _finish(self) -> None:
        if self.proc is not None and self.proc.stdin:
            self.proc.stdin.close()
        tmp, self._cds_tmp = self._cds_tmp, None
        if tmp is not None and tmp.exists():
            if self.proc is not None and self.proc.returncode in (0, 143, -signal.SIGTERM):
                tmp.replace(CDS_ARCHIVE)
            else:
                tmp.unlink(missing_ok=True)

    def _log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the Neo4j test server in the foreground.")
    parser.add_argument("--port", type=int, default=7687)
    parser.add_argument("--home", help="data directory (default: a new temporary one, removed at exit)")
    parser.add_argument("--heap", default="1g")
    args = parser.parse_args()

    server = Neo4jTestServer(port=args.port, home=args.home, heap=args.heap)
    t0 = time.monotonic()
    print(server.start(), f"(ready in {time.monotonic() - t0:.1f}s, data in {server.home})", flush=True)
    try:
        while server.is_running():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
