"""SIGKILL a refresh at points spread over fetch, validate, load, dbt and publish.

The kill points are chosen deterministically by watching real progress: a request reaching the
fake provider (the provider holds its answer until the kill has landed), a Dagster event line in
the refresh's log, or the publish file appearing. The refreshes run one after another in the
same warehouse, each killed at the next point, and a last one must complete. After every kill:
the published warehouse opens read-only with a complete scorecard, the refresh lock is free, and
every landed payload is whole (its content hashes to its name).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipelines.refresh.lock import refresh_lock
from pipelines.refresh.recovery import UNFINISHED
from tests.reliability.conftest import Running, assert_complete_scorecard
from tests.reliability.providers import serve_all


@dataclass(frozen=True)
class KillPoint:
    phase: str
    request: tuple[str, int] | None = None  # (source, n): the n-th request of a run is in flight
    log: str | None = None  # a line of the refresh's Dagster log
    file: str | None = None  # a glob under CITYDIP_HOME


KILL_POINTS = [
    KillPoint("fetch", request=("qs_rankings", 1)),
    KillPoint("fetch", request=("worldbank", 1)),
    KillPoint("fetch", request=("worldbank", 6)),
    KillPoint("validate", log="worldbank_payload_checks - STEP_START"),
    KillPoint("load", log="raw__worldbank_observations - STEP_START"),
    KillPoint("dbt", log="citydip_dbt_models - STEP_START"),
    KillPoint("dbt", log="Materialized value fct_observation"),
    KillPoint("publish", log="published_warehouse - STEP_START"),
    KillPoint("publish", file=".citydip.duckdb.*.new"),
    KillPoint("publish", log="Materialized value published_warehouse"),
]


class Provider:
    """Counts requests per source; at the chosen one, holds the answer until released."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.hold: tuple[str, int] | None = None
        self.reached = threading.Event()
        self.release = threading.Event()

    def arm(self, hold: tuple[str, int] | None) -> None:
        self.counts, self.hold = {}, hold
        self.reached.clear()
        self.release.clear()

    def on_request(self, source_id: str) -> None:
        self.counts[source_id] = self.counts.get(source_id, 0) + 1
        if self.hold == (source_id, self.counts[source_id]):
            self.reached.set()
            self.release.wait(timeout=60)


def reached(point: KillPoint, running: Running, provider: Provider, home: Path) -> bool:
    if point.request:
        return provider.reached.is_set()
    if point.log:
        return point.log in running.stderr()
    return any(home.glob(point.file))


def assert_landed_payloads_whole(raw: Path) -> None:
    """Every file under raw/<source>/ (and its rejected/ folder of refused responses, which an
    earlier fault test may have left) whole: content-addressed files match their digest, JSON
    files parse, a manifest's parts exist."""
    for path in (p for p in raw.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(raw).parts):
            continue  # a temp file (or folder) of an interrupted write: never read, never named
        if path.name.endswith(".json") and not path.name[:64].isalnum():
            json.loads(path.read_text())  # latest.json
            continue
        if path.name.endswith(".note.json"):  # a refused response's URL and error
            json.loads(path.read_text())
            continue
        if path.name.endswith(".manifest.json"):
            manifest = json.loads(path.read_text())
            for part in manifest["parts"]:
                assert (path.parent / f"{part['sha256']}.{part['suffix']}").exists()
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert path.name.startswith(digest), f"half-written payload {path}"


@pytest.fixture
def provider(httpserver: HTTPServer) -> tuple[Provider, dict[str, str]]:
    watcher = Provider()
    # the kill points watch these two sources' requests; the others refresh from snapshots
    env = serve_all(httpserver, on_request=watcher.on_request, only=("worldbank", "qs_rankings"))
    yield watcher, env
    watcher.release.set()


def test_refresh_survives_sigkill_at_every_point(warehouse, provider):
    watcher, provider_env = provider
    env = {**provider_env, "CITYDIP_SOURCE_MODE": "snapshot"}  # live: CITYDIP_LIVE_SOURCES
    phases = set()
    for point in KILL_POINTS:
        watcher.arm(point.request)
        running = warehouse.start("refresh", env=env)
        while not reached(point, running, watcher, warehouse.home):
            assert running.process.poll() is None, (
                f"the refresh ended before {point}: {running.stderr()[-2000:]}"
            )
            time.sleep(0.005)
        os.killpg(running.process.pid, signal.SIGKILL)  # the refresh and its dbt child
        running.process.wait()
        watcher.release.set()
        warehouse.outputs.append(running.stdout() + running.stderr())
        phases.add(point.phase)

        assert_complete_scorecard(warehouse.published)
        with refresh_lock(warehouse.home / "build"):
            pass  # no stale lock: the next refresh can take it at once
        assert_landed_payloads_whole(warehouse.home / "raw")

    assert phases == {"fetch", "validate", "load", "dbt", "publish"}
    watcher.arm(None)
    final = warehouse.run("refresh", env=env)
    assert final.returncode == 0, final.stderr[-3000:]
    assert_complete_scorecard(warehouse.published)
    assert "its refresh process died" in final.stdout  # the killed runs were failed
    instance = warehouse.instance()
    assert not instance.get_runs(filters=_unfinished()), "a killed run still looks unfinished"
    for pool in instance.event_log_storage.get_concurrency_keys():
        assert not instance.event_log_storage.get_concurrency_info(pool).claimed_slots
    leftovers = [p.name for p in warehouse.home.glob(".citydip.duckdb.*")]
    assert leftovers == [], "a killed publish left its temp file behind"
    assert (warehouse.home / "citydip.previous.duckdb").exists()


def _unfinished():
    import dagster as dg

    return dg.RunsFilter(statuses=UNFINISHED)


WRITER = """
import sys
from pathlib import Path
from pipelines.defs.landing import write_atomic
write_atomic(Path(sys.argv[1]), b"x" * (256 * 1024 * 1024))
"""


def test_a_payload_killed_mid_write_is_never_landed(tmp_path: Path):
    """SIGKILL while the bytes are being written: the target name never exists half-written."""
    import subprocess
    import sys

    from tests.conftest import REPO

    target = tmp_path / "raw" / "worldbank" / f"{'a' * 64}.json"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], cwd=REPO)
    try:
        while not any(p.stat().st_size > 0 for p in target.parent.glob(".*.tmp")):
            assert writer.poll() is None, "the write finished before it could be interrupted"
            time.sleep(0.001)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    finally:
        writer.kill()
    assert not target.exists()
