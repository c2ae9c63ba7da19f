"""The failure sensor records what failed where `citydip status` shows it; status flags overdue
sources against their cadence (with a controlled clock) and reads the instance."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.definitions import defs
from pipelines.defs.failures import describe_failure, failure_recorder, recorded_failure
from pipelines.defs.payload_checks import build_payload_checks
from pipelines.defs.source_assets import build_source_assets, payload_key
from pipelines.read.status import collect_status
from pipelines.settings import load_settings
from sources import SOURCES
from tests.conftest import citydip_in_process
from tests.pipelines.helpers import broken_curated, record_successful_refresh


@pytest.fixture
def refreshed_instance(citydip_home) -> dg.DagsterInstance:
    instance = dg.DagsterInstance.ephemeral()
    record_successful_refresh(instance, defs)
    return instance


@pytest.fixture
def failed_run(refreshed_instance, tmp_path) -> dg.ExecuteInProcessResult:
    source = broken_curated(tmp_path)
    result = dg.materialize(
        [*build_source_assets(source), build_payload_checks(source)],
        instance=refreshed_instance,
        resources={
            "duckdb": DuckDBResource(database=str(tmp_path / "build.duckdb")),
            "settings": load_settings(),
        },
        raise_on_error=False,
    )
    assert not result.success
    return result


def by_source(status) -> dict:
    return {s.source: s for s in status.sources}


def test_failure_sensor_records_asset_error_and_time(refreshed_instance, failed_run):
    context = dg.build_run_status_sensor_context(
        sensor_name=failure_recorder.name,
        dagster_event=failed_run.get_run_failure_event(),
        dagster_instance=refreshed_instance,
        dagster_run=failed_run.dagster_run,
    ).for_run_failure()
    failure_recorder(context)

    recorded = recorded_failure(refreshed_instance, payload_key(SOURCES["gfci"]))
    assert recorded is not None
    assert recorded.run_id == failed_run.run_id
    assert "schema_valid" in recorded.error and "no provenance" in recorded.error
    assert abs(recorded.failed_at - datetime.now(UTC)) < timedelta(hours=1)

    status = collect_status(defs, refreshed_instance)
    assert by_source(status)["gfci"].last_failure.run_id == failed_run.run_id


def test_status_shows_last_failure_and_failed_check_without_the_sensor(
    refreshed_instance, failed_run
):
    """A failed `citydip refresh` with no daemon running is read from the run history."""
    status = collect_status(defs, refreshed_instance)
    assert status.last_failure.run_id == failed_run.run_id
    assert "payloads/gfci" in status.last_failure.assets
    assert "no provenance" in status.last_failure.error
    gfci = by_source(status)["gfci"]
    assert gfci.check is not None and not gfci.check.passed
    assert "no provenance" in gfci.check.description
    assert by_source(status)["worldbank"].check.passed


def test_source_is_overdue_once_older_than_its_cadence(refreshed_instance):
    fetched = refreshed_instance.get_latest_materialization_event(
        dg.AssetKey(["payloads", "worldbank"])
    )
    fetched_at = datetime.fromtimestamp(fetched.timestamp, UTC)

    day_after = by_source(collect_status(defs, refreshed_instance, fetched_at + timedelta(days=1)))
    assert not day_after["worldbank"].overdue and not day_after["gfci"].overdue

    # World Bank is monthly (overdue after 35 days); curated publications (GFCI) yearly (370 days)
    later = by_source(collect_status(defs, refreshed_instance, fetched_at + timedelta(days=40)))
    assert later["worldbank"].overdue and later["worldbank"].age_days == pytest.approx(40, abs=0.1)
    assert not later["gfci"].overdue

    much_later = collect_status(defs, refreshed_instance, fetched_at + timedelta(days=400))
    assert all(s.overdue for s in much_later.sources)


def test_never_fetched_source_is_overdue(citydip_home):
    status = collect_status(defs, dg.DagsterInstance.ephemeral())
    assert all(s.overdue and s.last_fetch is None for s in status.sources)
    assert status.last_failure is None


def test_marts_show_their_last_build(refreshed_instance):
    marts = {m.asset: m for m in collect_status(defs, refreshed_instance).marts}
    assert {"scorecard_city", "fct_observation", "published_warehouse"} <= set(marts)
    assert all(m.last_build is not None for m in marts.values())
    assert not any("/" in name for name in marts)  # no seeds, staging or intermediate models


def test_citydip_status_reads_the_persistent_instance(
    citydip_home, tmp_path, persistent_refreshed_instance
):
    env = {"CITYDIP_HOME": str(citydip_home), "DAGSTER_HOME": str(tmp_path / "dagster")}

    result = citydip_in_process("status", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert {s["source"] for s in report["sources"]} == set(SOURCES)
    assert all(not s["overdue"] and s["check"]["passed"] for s in report["sources"])
    assert report["last_failure"] is None

    table = citydip_in_process("status", env={**env, "COLUMNS": "160"})
    assert table.returncode == 0
    assert "worldbank" in table.stdout and "monthly" in table.stdout


def test_citydip_status_exits_non_zero_when_a_source_was_never_fetched(citydip_home, tmp_path):
    env = {"CITYDIP_HOME": str(citydip_home), "DAGSTER_HOME": str(tmp_path / "dagster")}
    result = citydip_in_process("status", "--format", "json", env=env)
    assert result.returncode == 3
    assert all(s["overdue"] for s in json.loads(result.stdout)["sources"])


def test_a_failed_step_names_its_asset_and_the_exception(citydip_home, tmp_path):
    """Loading observations with no landed payload fails the step: the asset and error are named."""
    instance = dg.DagsterInstance.ephemeral()
    *_, observations = build_source_assets(SOURCES["worldbank"])
    result = dg.materialize(
        [observations],
        instance=instance,
        resources={
            "duckdb": DuckDBResource(database=str(tmp_path / "build.duckdb")),
            "settings": load_settings(),
        },
        raise_on_error=False,
    )
    assert not result.success

    failure = describe_failure(instance, result.run_id)

    assert failure.assets == ("raw/worldbank_observations",)
    assert "FileNotFoundError" in failure.error and "no payload of 'worldbank'" in failure.error
