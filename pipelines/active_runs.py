"""Runs in progress on the Dagster instance: `citydip refresh` will not start beside one.

The flock in lock.py keeps two `citydip refresh` apart; this covers runs launched from the UI,
by a schedule or by the automation sensor, which never take that lock. (Between launched runs,
the `citydip_warehouse` pool and `max_concurrent_runs: 1` queue them instead.)
"""

import dagster as dg

from pipelines.lock import RefreshInProgress

# Tag on runs `citydip refresh` executes in-process; they run only while the refresh flock is held.
CLI_RUN_TAG = "citydip/cli_pid"

ACTIVE = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def active_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    return [r.dagster_run for r in instance.get_run_records(filters=dg.RunsFilter(statuses=ACTIVE))]


def fail_orphaned_cli_runs(instance: dg.DagsterInstance, runs: list[dg.DagsterRun]) -> list:
    """Mark as failed the in-progress runs of a `citydip refresh` that died (e.g. SIGKILL).

    Call only while holding the refresh flock: a live `citydip refresh` holds it for as long as
    its run executes, so any other CLI run still marked in progress has lost its process.
    """
    remaining = []
    for run in runs:
        if CLI_RUN_TAG in run.tags:
            instance.report_run_failed(
                run,
                message=f"the citydip refresh process (pid {run.tags[CLI_RUN_TAG]}) that ran it "
                "died before it finished; marked failed by the next refresh",
            )
        else:
            remaining.append(run)
    return remaining


def refuse_if_busy(instance: dg.DagsterInstance) -> None:
    """Raise RefreshInProgress naming the run(s) that hold the warehouse."""
    runs = fail_orphaned_cli_runs(instance, active_runs(instance))
    if runs:
        named = ", ".join(f"{run.run_id} ({run.job_name}, {run.status.value})" for run in runs)
        raise RefreshInProgress(
            f"a Dagster run is in progress and holds the warehouse: {named}; wait for it to "
            "finish, or cancel it in the Dagster UI (Runs), then retry"
        )
