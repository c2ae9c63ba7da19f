"""What an operator asks first: is every source fresh, did its checks pass, when were the marts
built, what failed last. Read from the Dagster instance; `now` is a parameter so tests control it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg

from pipelines.defs.failures import Failure, last_failed_run, recorded_failure
from pipelines.defs.freshness import overdue_after
from pipelines.defs.source_assets import observations_key, payload_key
from pipelines.refresh.active_runs import active_runs
from sources import SOURCES

SCHEMA_CHECK = "schema_valid"


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    at: datetime
    description: str


@dataclass(frozen=True)
class SourceStatus:
    source: str
    cadence: str
    overdue_after_days: float
    last_fetch: datetime | None
    age_days: float | None
    overdue: bool
    rows: int | None
    check: CheckResult | None
    last_failure: Failure | None


@dataclass(frozen=True)
class MartStatus:
    asset: str
    group: str
    last_build: datetime | None
    rows: int | None
    last_failure: Failure | None


@dataclass(frozen=True)
class Status:
    now: datetime
    sources: list[SourceStatus]
    marts: list[MartStatus]
    last_failure: Failure | None
    running: list[str]


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _rows(entry) -> int | None:
    materialization = entry.asset_materialization if entry else None
    if materialization is None:
        return None
    for key in ("dagster/row_count", "rows"):
        if key in materialization.metadata:
            return int(materialization.metadata[key].value)
    return None


def _is_built_output(group: str | None, key: dg.AssetKey) -> bool:
    """Marts and everything published (views, warehouse, cards), each at a one-part key."""
    return group in ("marts", "publish") and len(key.path) == 1


def _published_rows(metadata, key: dg.AssetKey) -> int | None:
    """Row count of a mart as last published (publish records `rows/<table>`)."""
    value = metadata.get(f"rows/{key.path[-1]}")
    return int(value.value) if value is not None else None


def _check(instance: dg.DagsterInstance, key: dg.AssetCheckKey) -> CheckResult | None:
    """The check's last evaluation, newest first past executions that never evaluated (planned
    in a run whose fetch failed)."""
    storage = instance.event_log_storage
    cursor = None
    while history := storage.get_asset_check_execution_history(key, limit=20, cursor=cursor):
        for record in history:
            event = record.event.dagster_event if record.event else None
            if event and event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
                evaluation = event.asset_check_evaluation_data
                return CheckResult(
                    passed=evaluation.passed,
                    at=_at(record.event.timestamp),
                    description=evaluation.description or "",
                )
        cursor = history[-1].id
    return None


def source_status(instance: dg.DagsterInstance, source_id: str, now: datetime) -> SourceStatus:
    source = SOURCES[source_id]
    key = payload_key(source)
    # the FreshnessPolicy's window: the same rule that turns the asset red in the UI
    window = overdue_after(source.cadence)
    fetched = instance.get_latest_materialization_event(key)
    last_fetch = _at(fetched.timestamp) if fetched else None
    age = (now - last_fetch) if last_fetch else None
    return SourceStatus(
        source=source_id,
        cadence=source.cadence.label,
        overdue_after_days=window.total_seconds() / 86400,
        last_fetch=last_fetch,
        age_days=round(age.total_seconds() / 86400, 1) if age is not None else None,
        overdue=age is None or age > window,
        rows=_rows(instance.get_latest_materialization_event(observations_key(source))),
        check=_check(instance, dg.AssetCheckKey(key, SCHEMA_CHECK)),
        last_failure=recorded_failure(instance, key)
        or recorded_failure(instance, observations_key(source)),
    )


def collect_status(
    defs: dg.Definitions, instance: dg.DagsterInstance, now: datetime | None = None
) -> Status:
    now = now or datetime.now(UTC)
    published = instance.get_latest_materialization_event(dg.AssetKey("published_warehouse"))
    published_meta = published.asset_materialization.metadata if published else {}
    marts = []
    for spec in sorted(defs.resolve_all_asset_specs(), key=lambda s: s.key.to_user_string()):
        key = spec.key
        if not _is_built_output(spec.group_name, key):
            continue
        built = instance.get_latest_materialization_event(key)
        marts.append(
            MartStatus(
                asset=key.to_user_string(),
                group=spec.group_name,
                last_build=_at(built.timestamp) if built else None,
                rows=_rows(built) or _published_rows(published_meta, key),
                last_failure=recorded_failure(instance, key),
            )
        )
    recorded = [f for f in (s.last_failure for s in marts) if f]
    sources = [source_status(instance, source_id, now) for source_id in SOURCES]
    recorded += [s.last_failure for s in sources if s.last_failure]
    # the run's own description first: on a tie (the same run) it names every failed asset
    candidates = [*filter(None, [last_failed_run(instance)]), *recorded]
    return Status(
        now=now,
        sources=sources,
        marts=marts,
        last_failure=max(candidates, key=lambda f: f.failed_at, default=None),
        running=[f"{run.run_id} ({run.job_name})" for run in active_runs(instance)],
    )
