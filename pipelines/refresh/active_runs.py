"""Runs in progress on the Dagster instance: `citydip refresh` will not start beside one.

The flock in lock.py keeps two `citydip refresh` apart; this covers runs launched from the UI,
by a schedule or by the automation sensor, which never take that lock. (Between launched runs,
the `citydip_warehouse` pool and `max_concurrent_runs: 1` queue them instead.)
"""

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
