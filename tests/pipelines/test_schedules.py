"""Each source is fetched on its own cadence; nothing downstream has a cron of its own."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
import pytest
from dagster._core.execution.api import create_execution_plan
from dagster._utils.schedules import schedule_execution_time_iterator

from pipelines.definitions import defs
from pipelines.defs.schedules import schedule_name
from pipelines.defs.source_assets import observations_key, payload_key
from sources import SOURCES
from sources.source import MONTHLY, YEARLY

# A time at which each source's cron fires, and one at which it does not.
FIRES_AT = {
    MONTHLY.cron: datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
    YEARLY.cron: datetime(2027, 1, 5, 6, 0, tzinfo=UTC),
}


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_schedule_fetches_only_its_source_with_its_check(source_id):
    source = SOURCES[source_id]
    schedule = defs.resolve_schedule_def(schedule_name(source))
    assert schedule.cron_schedule == source.cadence.cron
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING

    when = FIRES_AT.get(source.cadence.cron, datetime(2026, 1, 1, tzinfo=UTC))
    result = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=when))
    assert len(result.run_requests) == 1
    request = result.run_requests[0]
    assert request.tags["citydip/source"] == source_id

    job = defs.resolve_job_def(schedule.job_name)
    assert job.asset_layer.selected_asset_keys == {payload_key(source), observations_key(source)}
    steps = set(create_execution_plan(job).step_keys_to_execute)
    assert f"{source_id}_payload_checks" in steps  # the blocking checks run in between


def test_cadences_fire_when_declared():
    """The monthly cron fires on the 2nd of each month, the yearly one on 5 January only."""
    worldbank = defs.resolve_schedule_def(schedule_name(SOURCES["worldbank"]))
    yearly = defs.resolve_schedule_def(schedule_name(SOURCES["gfci"]))
    start = datetime(2026, 1, 15, tzinfo=UTC)
    assert [t.isoformat() for t in _next_ticks(worldbank, start, 3)] == [
        "2026-02-02T03:00:00+00:00",
        "2026-03-02T03:00:00+00:00",
        "2026-04-02T03:00:00+00:00",
    ]
    assert [t.isoformat() for t in _next_ticks(yearly, start, 2)] == [
        "2027-01-05T06:00:00+00:00",
        "2028-01-05T06:00:00+00:00",
    ]


def _next_ticks(schedule: dg.ScheduleDefinition, start: datetime, count: int) -> list[datetime]:
    """The tick times the scheduler daemon computes for this schedule."""
    ticks = schedule_execution_time_iterator(
        start.timestamp(), schedule.cron_schedule, schedule.execution_timezone
    )
    return [next(ticks).astimezone(UTC) for _ in range(count)]


def test_no_schedule_targets_dbt_publish_or_cards():
    source_keys = {key for s in SOURCES.values() for key in (payload_key(s), observations_key(s))}
    for schedule in defs.schedules:
        job = defs.resolve_job_def(schedule.job_name)
        assert job.asset_layer.selected_asset_keys <= source_keys
