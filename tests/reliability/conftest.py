"""One warehouse for the whole reliability suite: published once (a copy per xdist worker), then
crashed, raced and fed faults by the tests, each of which leaves it complete again. Every refresh
runs with canary values in every secret environment variable the code reads, so test_security can
grep for them."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from pytest_httpserver import HTTPServer

from pipelines.defs.publish import MARTS
from pipelines.read.city_card import headline_year
from tests.conftest import REPO, citydip_in_process
from tests.published import copy_root, locked

CITYDIP = str(Path(sys.executable).parent / "citydip")
SECRET_NAME = re.compile(r"CITYDIP_[A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD)\b")
CITIES = 9  # rows of dbt_project/seeds/cities.csv
# clients fail fast in tests: no backoff sleeps, no Dagster step retries
FAST = {"CITYDIP_HTTP_BACKOFF": "0", "CITYDIP_HTTP_RETRIES": "2", "CITYDIP_FETCH_RETRIES": "0"}


@pytest.fixture(scope="session")
def make_httpserver():
    """pytest-httpserver's server, threaded: a fault that keeps its handler busy after the client
    gave up (a 1.5 s sleep against a 0.3 s read timeout) must not hold up the next test's
    requests (single-threaded, every such row cost the next one 1.2 s)."""
    server = HTTPServer(host=HTTPServer.DEFAULT_LISTEN_HOST, port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def secret_names() -> list[str]:
    """Every secret environment variable the code reads (found in the source), and Comtrade's."""
    names = {"CITYDIP_COMTRADE_KEY"}
    for folder in ("sources", "pipelines"):
        for path in (REPO / folder).rglob("*.py"):
            names |= set(SECRET_NAME.findall(path.read_text()))
    return sorted(names)


@dataclass
class Warehouse:
    root: Path
    env: dict[str, str]
    canaries: dict[str, str]
    outputs: list[str] = field(default_factory=list)  # stdout+stderr of every refresh
    peak_rss_bytes: int = 0

    @property
    def home(self) -> Path:
        return Path(self.env["CITYDIP_HOME"])

    @property
    def published(self) -> Path:
        return self.home / "citydip.duckdb"

    @property
    def dagster_home(self) -> Path:
        return Path(self.env["DAGSTER_HOME"])

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.dagster_home))

    def start(self, *args: str, env: dict[str, str] | None = None) -> Running:
        """Start `citydip <args>` with its output going to files (read them while it runs)."""
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        stem = logs / uuid.uuid4().hex[:8]
        out, err = stem.with_suffix(".out"), stem.with_suffix(".err")
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen(
                [CITYDIP, *args],
                cwd=REPO,
                env={**os.environ, **self.env, **(env or {})},
                stdout=stdout,
                stderr=stderr,
                text=True,
                start_new_session=True,  # its own process group: a kill takes dbt with it
            )
        return Running(process, out, err)

    def finish(self, running: Running, timeout: float = 600) -> subprocess.CompletedProcess:
        running.process.wait(timeout=timeout)
        result = subprocess.CompletedProcess(
            running.process.args, running.process.returncode, running.stdout(), running.stderr()
        )
        self.outputs.append(result.stdout + result.stderr)
        return result

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return self.finish(self.start(*args, env=env))

    def copy(self, root: Path) -> Warehouse:
        """A private copy of this warehouse (home and Dagster instance) under root, with the same
        canaries; its refreshes' output is recorded with this one's (test_security reads it)."""
        copy_root(self.root, root)
        return Warehouse(
            root=root,
            env=environment(root, self.canaries),
            canaries=self.canaries,
            outputs=self.outputs,
            peak_rss_bytes=self.peak_rss_bytes,
        )

    def run_in_process(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        """`citydip <args>` in this process, on this warehouse (tests.conftest.citydip_in_process),
        for tests whose subject is what a refresh does, not its process: a process costs ~4 s of
        start-up (Python, Dagster and dbt imports), most of a refresh that fails at one source."""
        result = citydip_in_process(*args, env={**self.env, **(env or {})})
        self.outputs.append(result.stdout + result.stderr)
        return result


@dataclass
class Running:
    process: subprocess.Popen
    out_path: Path
    err_path: Path

    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")


def published_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_complete_scorecard(path: Path) -> None:
    """The published warehouse opens read-only and has every mart and view and every city scored."""
    with duckdb.connect(str(path), read_only=True) as con:
        relations = {
            t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()
        }
        assert relations >= set(MARTS), f"missing marts: {set(MARTS) - relations}"
        scored = con.execute(
            "select count(distinct city_id) from scorecard_city "
            "where year = ? and overall_score is not null",
            [headline_year(con)],
        ).fetchone()[0]
    assert scored == CITIES


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        rss[int(entry.name)] = int(found.group(1)) * 1024 if found else 0
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def environment(root: Path, canaries: dict[str, str]) -> dict[str, str]:
    return {
        "CITYDIP_HOME": str(root / "home"),
        "DAGSTER_HOME": str(root / "dagster"),
        "CITYDIP_SOURCE_MODE": "snapshot",
        "CITYDIP_DAGSTER_LOG_LEVEL": "DEBUG",  # the crash tests follow steps in the log
        **FAST,
        **canaries,
    }


def build_warehouse(root: Path) -> Warehouse:
    """The first refresh on the default data, in a real process, its memory sampled over the
    whole process tree."""
    root.mkdir(parents=True, exist_ok=True)
    canaries = {name: f"canary-{uuid.uuid4().hex}" for name in secret_names()}
    warehouse = Warehouse(root=root, env=environment(root, canaries), canaries=canaries)
    running = warehouse.start("refresh")
    peak = 0
    while running.process.poll() is None:
        peak = max(peak, tree_rss_bytes(running.process.pid))
        time.sleep(0.05)
    result = warehouse.finish(running)
    warehouse.peak_rss_bytes = peak
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert_complete_scorecard(warehouse.published)
    return warehouse


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Warehouse:
    """This worker's own reliability warehouse. Built once per test session: under pytest-xdist
    by the first worker that needs it (the others wait on a file lock), kept untouched, and
    copied by every worker (pytest-xdist's recipe for a session fixture that runs once), with
    the first refresh's canaries, output and peak memory."""
    root = tmp_path_factory.mktemp("reliability")
    if worker_id == "master":  # not distributed
        return build_warehouse(root)
    built = tmp_path_factory.getbasetemp().parent / "reliability-warehouse"
    record = built / "warehouse.json"
    with locked(built.with_name("reliability-warehouse.lock")):
        if not record.exists():
            first = build_warehouse(built)
            kept = {"canaries": first.canaries, "outputs": first.outputs}
            record.write_text(json.dumps({**kept, "peak_rss_bytes": first.peak_rss_bytes}))
    kept = json.loads(record.read_text())
    first = Warehouse(
        root=built,
        env=environment(built, kept["canaries"]),
        canaries=kept["canaries"],
        outputs=kept["outputs"],
        peak_rss_bytes=kept["peak_rss_bytes"],
    )
    return first.copy(root)
