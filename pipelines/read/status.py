"""What an operator asks first: is every source fresh, did its checks pass, when were the marts
built, what failed last. Read from the Dagster instance; `now` is a parameter so tests control it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import dagster as dg
from dagster._core.definitions.freshness import TimeWindowFreshnessPolicy
from dagster._core.storage.asset_check_execution_record import (
    COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES,
)

from pipelines.defs.failures import Failure, last_failed_run, recorded_failure
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
    """Marts (dbt puts them at a one-part key) and everything published (warehouse, cards)."""
    return group == "publish" or (group == "scorecard" and len(key.path) == 1)


def _published_rows(metadata, key: dg.AssetKey) -> int | None:
    """Row count of a mart as last published (publish records `rows/<table>`)."""
    value = metadata.get(f"rows/{key.path[-1]}")
    return int(value.value) if value is not None else None


def _fail_window(node) -> timedelta | None:
    """The asset's FreshnessPolicy window: the same rule that turns it red in the UI."""
    policy = node.freshness_policy
    if isinstance(policy, TimeWindowFreshnessPolicy):
        return policy.fail_window.to_timedelta()
    return None


def _check(instance: dg.DagsterInstance, key: dg.AssetCheckKey) -> CheckResult | None:
    history = instance.event_log_storage.get_asset_check_execution_history(
        key, limit=1, status=COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES
    )
    if not history or history[0].event is None:
        return None
    evaluation = history[0].event.dagster_event.asset_check_evaluation_data
    return CheckResult(
        passed=evaluation.passed,
        at=_at(history[0].event.timestamp),
        description=evaluation.description or "",
    )


def source_status(
    instance: dg.DagsterInstance, graph, source_id: str, now: datetime
) -> SourceStatus:
    source = SOURCES[source_id]
    key = payload_key(source)
    window = _fail_window(graph.get(key)) or timedelta(days=source.cadence.overdue_after_days)
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
    graph = defs.resolve_asset_graph()
    published = instance.get_latest_materialization_event(dg.AssetKey("published_warehouse"))
    published_meta = published.asset_materialization.metadata if published else {}
    marts = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        if not _is_built_output(node.group_name, key):
            continue
        built = instance.get_latest_materialization_event(key)
        marts.append(
            MartStatus(
                asset=key.to_user_string(),
                group=node.group_name,
                last_build=_at(built.timestamp) if built else None,
                rows=_rows(built) or _published_rows(published_meta, key),
                last_failure=recorded_failure(instance, key),
            )
        )
    recorded = [f for f in (s.last_failure for s in marts) if f]
    sources = [source_status(instance, graph, source_id, now) for source_id in SOURCES]
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
