"""What an operator asks first: is every source fresh, did its checks pass, when were the marts
built, what failed last. Read from the Dagster instance; `now` is a parameter so tests control it.

The fetch's age says when citydip last asked; the data's own age says how old what it got is: the
newest period a source holds in the published warehouse of CITYDIP_HOME (fct_observation) and the
date of its payload (`_citydip_meta`: a live fetch's time, or a snapshot's retrieval date). A
fetch that failed after the last good one is reported with the provider's reason.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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
    newest_period: int | None = None  # the newest year of its observations (published warehouse)
    data_date: datetime | None = None  # the payload's own date: fetch time or snapshot retrieval
    data_age_days: float | None = None
    failed_fetch: Failure | None = None  # a failure newer than the last good fetch

    @property
    def failed(self) -> bool:
        return self.failed_fetch is not None or (self.check is not None and not self.check.passed)


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


def published_data(published: Path | None) -> dict[str, tuple[int | None, datetime | None]]:
    """{source: (newest period, payload date)} of the published warehouse, if there is one."""
    if published is None or not published.exists():
        return {}
    import duckdb

    try:
        with duckdb.connect(str(published), read_only=True) as con:
            periods = dict(
                con.execute(
                    "select source_id, max(period) from fct_observation group by source_id"
                ).fetchall()
            )
            dates = dict(
                con.execute(
                    "select name, max(fetched_at) from _citydip_meta "
                    "where section = 'source' group by name"
                ).fetchall()
            )
    except duckdb.Error:
        return {}
    return {
        source: (periods.get(source), _aware(dates.get(source)))
        for source in set(periods) | set(dates)
    }


def _aware(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _failed_fetch(
    source, recorded: list[Failure | None], last_fetch: datetime | None, run_failure: Failure | None
) -> Failure | None:
    """The newest failure of the source's fetch or load after its last good fetch: recorded by
    the failure sensor (`recorded`: on its payload and on its observations), or the last failed
    run (a cron'd `citydip refresh`) naming the source."""
    names = {payload_key(source).to_user_string(), observations_key(source).to_user_string()}
    candidates = list(recorded)
    if run_failure is not None and names & set(run_failure.assets):
        candidates.append(run_failure)
    failures = [f for f in candidates if f and (last_fetch is None or f.failed_at > last_fetch)]
    return max(failures, key=lambda f: f.failed_at, default=None)


def latest_materializations(
    instance: dg.DagsterInstance, keys: list[dg.AssetKey]
) -> dict[dg.AssetKey, dg.EventLogEntry | None]:
    """The newest materialisation of each asset, from one query of the instance's asset index
    (one query per asset made `citydip status` take seconds on SQLite storage)."""
    found = {
        record.asset_entry.asset_key: record.asset_entry.last_materialization
        for record in instance.get_asset_records(keys)
    }
    return {key: found.get(key) for key in keys}


def source_status(
    instance: dg.DagsterInstance,
    source_id: str,
    now: datetime,
    data: tuple[int | None, datetime | None],
    run_failure: Failure | None,
    latest: dict[dg.AssetKey, dg.EventLogEntry | None],
) -> SourceStatus:
    """`latest`: the newest materialisation of every asset (latest_materializations)."""
    source = SOURCES[source_id]
    key = payload_key(source)
    # the FreshnessPolicy's window: the same rule that turns the asset red in the UI
    window = overdue_after(source.cadence)
    recorded = [recorded_failure(instance, k) for k in (key, observations_key(source))]
    fetched = latest[key]
    last_fetch = _at(fetched.timestamp) if fetched else None
    age = (now - last_fetch) if last_fetch else None
    return SourceStatus(
        source=source_id,
        cadence=source.cadence.label,
        overdue_after_days=window.total_seconds() / 86400,
        last_fetch=last_fetch,
        age_days=round(age.total_seconds() / 86400, 1) if age is not None else None,
        overdue=age is None or age > window,
        rows=_rows(latest[observations_key(source)]),
        check=_check(instance, dg.AssetCheckKey(key, SCHEMA_CHECK)),
        last_failure=recorded[0] or recorded[1],
        newest_period=data[0],
        data_date=data[1],
        data_age_days=round((now - data[1]).total_seconds() / 86400, 1) if data[1] else None,
        failed_fetch=_failed_fetch(source, recorded, last_fetch, run_failure),
    )


def collect_status(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    now: datetime | None = None,
    published_db: Path | None = None,
) -> Status:
    """`published_db`: the published warehouse of CITYDIP_HOME, for the data's own age."""
    now = now or datetime.now(UTC)
    specs = sorted(defs.resolve_all_asset_specs(), key=lambda s: s.key.to_user_string())
    latest = latest_materializations(instance, [spec.key for spec in specs])
    published = latest.get(dg.AssetKey("published_warehouse"))
    published_meta = published.asset_materialization.metadata if published else {}
    marts = []
    for spec in specs:
        key = spec.key
        if not _is_built_output(spec.group_name, key):
            continue
        built = latest[key]
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
    data = published_data(published_db)
    run_failure = last_failed_run(instance)
    sources = [
        source_status(
            instance, source_id, now, data.get(source_id, (None, None)), run_failure, latest
        )
        for source_id in SOURCES
    ]
    recorded += [s.last_failure for s in sources if s.last_failure]
    # the run's own description first: on a tie (the same run) it names every failed asset
    candidates = [*filter(None, [run_failure]), *recorded]
    return Status(
        now=now,
        sources=sources,
        marts=marts,
        last_failure=max(candidates, key=lambda f: f.failed_at, default=None),
        running=[f"{run.run_id} ({run.job_name})" for run in active_runs(instance)],
    )
