"""Failed runs: which assets failed, with what error, when; recorded by a run-failure sensor.

The sensor writes one AssetObservation per failed asset into the instance's event log (tagged
`citydip/failure`), so the failure shows on the asset's page in the UI and `citydip status`
reads it back. A failed run the sensor has not seen (no daemon running, e.g. a cron'd
`citydip refresh`) is described straight from the instance's run history.
"""

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import dagster as dg

from pipelines.messages import first_line

FAILURE_TAG = "citydip/failure"


@dataclass(frozen=True)
class Failure:
    run_id: str
    job: str
    failed_at: datetime
    assets: tuple[str, ...]
    error: str

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "failed_at": self.failed_at.isoformat(),
            "assets": list(self.assets),
        }


def _step_error(event: dg.DagsterEvent) -> str:
    error = event.step_failure_data.error if event.step_failure_data else None
    if error is None:
        return "failed"
    while error.cause is not None and "dagster" in error.cls_name.lower():
        error = error.cause  # the user's exception, not Dagster's wrapper
    return first_line(error.message) or error.cls_name


def _assets_of_steps(instance: dg.DagsterInstance, run, step_keys: set[str]) -> list[str]:
    """The assets (or checked assets) the given steps of the run were to produce."""
    if run is None or not step_keys or not run.execution_plan_snapshot_id:
        return []
    plan = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
    assets = []
    for step in plan.steps:
        if step.key not in step_keys:
            continue
        for output in step.outputs:
            props = output.properties
            key = props and (
                props.asset_key or (props.asset_check_key and props.asset_check_key.asset_key)
            )
            if key:
                assets.append(key.to_user_string())
    return assets


def describe_failure(instance: dg.DagsterInstance, run_id: str) -> Failure:
    """Read the failed run's events: the assets that failed (their checks or their steps) and
    were not materialised, the first error (a failed check's description or a step's exception)."""
    run = instance.get_run_by_id(run_id)
    records = instance.all_logs(run_id)
    assets: list[str] = []
    materialized: set[str] = set()
    failed_steps: set[str] = set()
    errors: list[str] = []
    failed_at = None
    for entry in records:
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION and event.asset_key:
            materialized.add(event.asset_key.to_user_string())
        elif (
            event.event_type == dg.DagsterEventType.ASSET_FAILED_TO_MATERIALIZE and event.asset_key
        ):
            assets.append(event.asset_key.to_user_string())
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            if not evaluation.passed:
                assets.append(evaluation.asset_key.to_user_string())
                errors.append(
                    f"check {evaluation.check_name} failed: "
                    f"{first_line(evaluation.description or '') or 'no description'}"
                )
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            failed_steps.add(event.step_key)
            errors.append(f"step {event.step_key}: {_step_error(event)}")
        elif event.event_type == dg.DagsterEventType.RUN_FAILURE:
            failed_at = datetime.fromtimestamp(entry.timestamp, UTC)
            if not errors and event.event_specific_data and event.event_specific_data.error:
                errors.append(first_line(event.event_specific_data.error.message))
    assets += [a for a in _assets_of_steps(instance, run, failed_steps) if a not in materialized]
    if failed_at is None:
        failed_at = datetime.fromtimestamp(records[-1].timestamp if records else 0, UTC)
    return Failure(
        run_id=run_id,
        job=run.job_name if run else "",
        failed_at=failed_at,
        assets=tuple(dict.fromkeys(assets)),
        error=errors[0] if errors else "the run failed",
    )


def record_failure(instance: dg.DagsterInstance, failure: Failure) -> None:
    """One observation per failed asset, so the UI shows the failure where the asset is."""
    for asset in failure.assets:
        instance.report_runless_asset_event(
            dg.AssetObservation(
                asset_key=dg.AssetKey.from_user_string(asset),
                metadata={
                    FAILURE_TAG: failure.error,
                    "run_id": failure.run_id,
                    "job": failure.job,
                    "failed_at": failure.failed_at.isoformat(),
                },
                tags={FAILURE_TAG: "true"},
            )
        )


def recorded_failure(instance: dg.DagsterInstance, asset_key: dg.AssetKey) -> Failure | None:
    """The newest failure the sensor recorded on this asset, if any."""
    for record in instance.fetch_observations(asset_key, limit=20).records:
        observation = record.asset_observation
        if observation is None or FAILURE_TAG not in observation.metadata:
            continue
        meta = {k: v.value for k, v in observation.metadata.items()}
        return Failure(
            run_id=str(meta["run_id"]),
            job=str(meta.get("job", "")),
            failed_at=datetime.fromisoformat(str(meta["failed_at"])),
            assets=(asset_key.to_user_string(),),
            error=str(meta[FAILURE_TAG]),
        )
    return None


def last_failed_run(instance: dg.DagsterInstance) -> Failure | None:
    """The newest failed run on the instance, described from its events."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE]), limit=1
    )
    return describe_failure(instance, records[0].dagster_run.run_id) if records else None


@dg.run_failure_sensor(
    name="citydip_failure_recorder",
    default_status=dg.DefaultSensorStatus.RUNNING,
    monitor_all_code_locations=True,  # also runs of `citydip refresh` (executed in-process)
    description="Records every failed run on the assets it failed (error, run, time) for the "
    "asset pages and `citydip status`.",
)
def failure_recorder(context: dg.RunFailureSensorContext) -> None:
    failure = describe_failure(context.instance, context.dagster_run.run_id)
    record_failure(context.instance, failure)
    context.log.info(f"recorded failure of run {failure.run_id} on {list(failure.assets)}")
