"""After a crash: runs a killed `citydip refresh` left behind are marked failed, slots freed.

A SIGKILLed refresh cannot write its own failure, so Dagster keeps its run as STARTED and keeps
the `citydip_warehouse` pool slot it held; the daemon or UI would then wait for that slot
forever. Every refresh tags its run with its host and pid; the next refresh, holding the refresh
lock, fails the runs whose process is gone and frees their slots.
"""

from __future__ import annotations

import os
import socket

import dagster as dg

HOST_TAG = "citydip/host"
PID_TAG = "citydip/pid"
UNFINISHED = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def run_tags() -> dict[str, str]:
    """Tags naming the process that executes a refresh run."""
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_orphaned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail this host's unfinished refresh runs whose process is dead; return their ids."""
    host = socket.gethostname()
    records = instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED, tags={HOST_TAG: host}))
    orphaned = []
    for run in records:
        pid = run.tags.get(PID_TAG, "")
        if not pid.isdigit() or int(pid) == os.getpid() or process_alive(int(pid)):
            continue
        instance.report_run_failed(
            run, message=f"the citydip refresh process (pid {pid}) died before finishing"
        )
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        orphaned.append(run.run_id)
    return orphaned
