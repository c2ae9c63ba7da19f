"""Declarative automation: after a source loads, exactly its downstream dbt models and publish
are requested; a failed blocking check stops the chain."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.definitions import defs
from pipelines.defs.automation import DOWNSTREAM
from pipelines.defs.payload_checks import build_payload_checks
from pipelines.defs.source_assets import build_source_assets, observations_key, payload_key
from pipelines.settings import load_settings
from sources import SOURCES
from tests.pipelines.helpers import broken_curated, record_successful_refresh


def requested(result) -> set[dg.AssetKey]:
    graph = defs.resolve_asset_graph()
    return {key for key in graph.get_all_asset_keys() if result.get_num_requested(key)}


@pytest.fixture
def settled(citydip_home):
    """An instance after a successful refresh, with the automation cursor past it."""
    instance = dg.DagsterInstance.ephemeral()
    record_successful_refresh(instance, defs)
    settled = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    assert settled.total_requested == 0  # nothing to do once everything is up to date
    return instance, settled.cursor


def test_every_asset_below_the_sources_is_automated_and_no_source_is():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.group_name == "sources":
            assert node.automation_condition is None, key
        else:
            assert node.automation_condition == DOWNSTREAM, key


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_a_loaded_source_requests_its_downstream_models_and_no_others(settled, source_id):
    instance, cursor = settled
    loaded = observations_key(SOURCES[source_id])
    instance.report_runless_asset_event(dg.AssetMaterialization(loaded))

    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)

    graph = defs.resolve_asset_graph()
    downstream = dg.AssetSelection.assets(loaded).downstream(include_self=False).resolve(graph)
    assert requested(result) == downstream
    assert dg.AssetKey(f"stg_{source_id}__observations") in downstream
    assert dg.AssetKey("published_warehouse") in downstream
    others = {s for s in SOURCES if s != source_id}
    for other in others:
        assert dg.AssetKey(f"stg_{other}__observations") not in requested(result)
    assert not any(key.path[0] in ("seeds", "payloads", "raw") for key in requested(result))


def test_a_fetch_alone_requests_nothing_downstream(settled):
    """The schedule loads the observations in the same run; a bare payload triggers no dbt."""
    instance, cursor = settled
    instance.report_runless_asset_event(dg.AssetMaterialization(payload_key(SOURCES["gfci"])))
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    assert result.total_requested == 0


def test_failed_blocking_check_prevents_downstream_materialisation(settled, citydip_home, tmp_path):
    instance, cursor = settled
    source = broken_curated(tmp_path)
    before = instance.get_latest_materialization_event(observations_key(source))

    result = dg.materialize(
        [*build_source_assets(source), build_payload_checks(source)],
        instance=instance,
        resources={
            "duckdb": DuckDBResource(database=str(tmp_path / "build.duckdb")),
            "settings": load_settings(),
        },
        raise_on_error=False,
    )

    assert not result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    evaluation = evaluations["schema_valid"]
    assert not evaluation.passed and evaluations["no_absurd_revision"].passed
    assert "no provenance" in (evaluation.description or "")
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {payload_key(source)}  # landed for inspection, never loaded
    after = instance.get_latest_materialization_event(observations_key(source))
    assert after.run_id == before.run_id and after.timestamp == before.timestamp
    # and nothing downstream is requested: dbt, publish and cards stay as they were
    automation = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    assert automation.total_requested == 0


def test_a_failed_dbt_test_holds_back_what_reads_that_model(settled):
    """A blocking dbt test that failed on a mart keeps publish from running on it."""
    instance, cursor = settled
    graph = defs.resolve_asset_graph()
    failing = next(
        k for k in graph.asset_check_keys if k.asset_key == dg.AssetKey("scorecard_city")
    )
    instance.report_runless_asset_event(dg.AssetMaterialization(dg.AssetKey("scorecard_city")))
    instance.report_runless_asset_event(
        dg.AssetCheckEvaluation(asset_key=failing.asset_key, check_name=failing.name, passed=False)
    )
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    assert dg.AssetKey("published_warehouse") not in requested(result)
