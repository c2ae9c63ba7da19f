"""The run window against the real daemon: while a refresh's `citydip_refresh` window is open, a
sensor's queued runs wait; once it closes, the daemon starts them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines.refresh.active_runs import refresh_window
from pipelines.refresh.instance import get_instance
from pipelines.refresh.recovery import run_tags

CODE = """
import dagster as dg

@dg.op
def noop():
    pass

@dg.job
def scheduled_probe():
    noop()

@dg.sensor(job=scheduled_probe, minimum_interval_seconds=1,
           default_status=dg.DefaultSensorStatus.RUNNING)
def every_tick(context):
    yield dg.RunRequest()

defs = dg.Definitions(jobs=[scheduled_probe], sensors=[every_tick])
"""


def probe_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    return list(instance.get_runs(filters=dg.RunsFilter(job_name="scheduled_probe")))


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.e2e
def test_no_queued_run_starts_inside_the_window(tmp_path: Path):
    (tmp_path / "probe.py").write_text(CODE)
    (tmp_path / "workspace.yaml").write_text(
        f"load_from:\n  - python_file: {tmp_path / 'probe.py'}\n"
    )
    instance = get_instance(tmp_path / "dagster")
    started = {dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED}
    started |= {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE}
    with refresh_window(instance, run_tags()):
        daemon = subprocess.Popen(
            [Path(sys.executable).parent / "dagster-daemon", "run", "-w", "workspace.yaml"],
            cwd=tmp_path,
            env={**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its code server and launched runs: one group to stop
        )
        try:
            assert wait_for(lambda: len(probe_runs(instance)) >= 2, 120), "nothing was queued"
            time.sleep(10)  # several turns of the run queue
            statuses = {run.status for run in probe_runs(instance)}
            # queued (or, for the newest tick's run, still being submitted): none started
            assert dg.DagsterRunStatus.QUEUED in statuses, statuses
            assert not statuses & started, statuses
        except BaseException:
            os.killpg(daemon.pid, signal.SIGTERM)
            raise
    try:
        assert wait_for(lambda: any(r.status in started for r in probe_runs(instance)), 120)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
