"""Runs in progress on the Dagster instance: `citydip refresh` will not start beside one.

The flock in lock.py keeps two `citydip refresh` apart; this covers runs launched from the UI,
by a schedule or by the automation sensor, which never take that lock. (Between launched runs,
the `citydip_warehouse` pool and `max_concurrent_runs: 1` queue them instead.) A refresh holds
the instance's run slot across both of its phases (refresh_window), so no queued run starts
between them.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from pipelines.refresh.lock import RefreshInProgress

ACTIVE = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def active_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    return [r.dagster_run for r in instance.get_run_records(filters=dg.RunsFilter(statuses=ACTIVE))]


def refuse_if_busy(instance: dg.DagsterInstance) -> None:
    """Raise RefreshInProgress naming the run(s) that hold the warehouse."""
    runs = active_runs(instance)
    if runs:
        named = ", ".join(f"{run.run_id} ({run.job_name}, {run.status.value})" for run in runs)
        raise RefreshInProgress(
            f"a Dagster run is in progress and holds the warehouse: {named}; wait for it to "
            "finish, or cancel it in the Dagster UI (Runs), then retry"
        )


# The run that spans one `citydip refresh`, both phases (fetch, then rebuild): see refresh_window.
WINDOW_JOB = "citydip_refresh"


@contextmanager
def refresh_window(instance: dg.DagsterInstance, tags: dict[str, str]) -> Iterator[dg.DagsterRun]:
    """Hold the instance's one run slot from the first phase of a refresh to the end of the last.

    Each phase is its own in-process run; between them no run of the refresh is in progress, and
    the daemon's run queue (`max_concurrent_runs: 1`) would start a scheduled or sensor run there.
    A run record `citydip_refresh`, STARTED for the whole refresh, counts as the run in progress,
    so queued runs wait until it ends (success; canceled when the refresh stopped on an error; a
    failed phase is its own failed run). Tagged like the phase runs (host, pid): should the
    process die, the next refresh marks it failed (recovery.fail_orphaned_runs).
    """
    run = instance.add_run(
        dg.DagsterRun(
            job_name=WINDOW_JOB,
            run_id=str(uuid.uuid4()),
            status=dg.DagsterRunStatus.STARTED,
            tags=tags,
        )
    )
    try:
        yield run
    except BaseException as exc:  # the error is the refresh's to report, not a failed run's
        instance.report_run_canceled(run, message=f"citydip refresh stopped: {exc!r}")
        raise
    instance.report_dagster_event(
        dg.DagsterEvent(
            event_type_value=dg.DagsterEventType.RUN_SUCCESS.value,
            job_name=WINDOW_JOB,
            message="citydip refresh finished: both phases ran inside this run's window",
        ),
        run_id=run.run_id,
    )
