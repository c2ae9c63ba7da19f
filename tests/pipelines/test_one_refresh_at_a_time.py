"""One writer at a time: every writer of the working database shares a pool of one, and
`citydip refresh` refuses while any Dagster run (UI, schedule, sensor) is in progress."""

from __future__ import annotations

import threading
import time

import dagster as dg
import pytest
import yaml

from pipelines.definitions import defs
from pipelines.defs.source_assets import WAREHOUSE_POOL
from pipelines.refresh.instance import DEFAULT_DAGSTER_YAML
from tests.conftest import citydip_in_process


def test_every_writer_of_the_working_database_is_in_the_warehouse_pool():
    graph = defs.resolve_asset_graph()
    writers = {
        key
        for key in graph.get_all_asset_keys()
        if key.path[0] != "payloads"  # fetches only land files under raw/
        and key != dg.AssetKey("scorecard_cards")  # reads only the published file
    }
    for key in writers:
        assets_def = graph.assets_def_for_key(key)
        pools = {assets_def.get_op_def_for_asset_key(key).pool}
        assert pools == {WAREHOUSE_POOL}, key


def test_the_instance_allows_one_slot_and_one_run():
    config = yaml.safe_load(DEFAULT_DAGSTER_YAML)
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1


def test_refresh_refuses_while_a_run_holds_the_warehouse(citydip_home, tmp_path):
    from pipelines.refresh.instance import get_instance
    from pipelines.settings import load_settings

    instance = get_instance(load_settings().dagster_home)
    run = instance.add_run(
        dg.DagsterRun(
            job_name="__ASSET_JOB",
            run_id="launched-from-the-ui",
            status=dg.DagsterRunStatus.STARTED,
        )
    )
    env = {"CITYDIP_HOME": str(citydip_home), "DAGSTER_HOME": str(tmp_path / "dagster")}

    result = citydip_in_process("refresh", env=env)

    assert result.returncode == 75
    assert "refused" in result.stderr and run.run_id in result.stderr
    assert not (citydip_home / "raw").exists()  # nothing was fetched
    assert len(instance.get_runs()) == 1  # and no run was started


@pytest.mark.e2e  # two runs race for the pool slot (Dagster's claim backoff: ~60 s)
def test_a_writer_waits_for_the_pool_slot_held_by_another_run(citydip_home, tmp_path):
    """With the instance's config, a second writer is queued on the pool, not interleaved."""
    from dagster_duckdb import DuckDBResource

    from pipelines.defs.source_assets import build_source_assets
    from pipelines.refresh.instance import get_instance
    from pipelines.settings import load_settings
    from sources import SOURCES

    settings = load_settings()
    instance = get_instance(settings.dagster_home)
    payload, observations = build_source_assets(SOURCES["gfci"])
    resources = {
        "duckdb": DuckDBResource(database=str(tmp_path / "build.duckdb")),
        "settings": settings,
    }
    dg.materialize([payload], instance=instance, resources=resources)
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
    claim = storage.claim_concurrency_slot(WAREHOUSE_POOL, "another-run", "its-writer-step")
    assert claim.slot_status.name == "CLAIMED"

    results = []
    writer = threading.Thread(
        target=lambda: results.append(
            dg.materialize([observations], instance=instance, resources=resources)
        )
    )
    writer.start()
    try:
        assert wait_for_blocked_step(instance), "the writer never reported waiting for the pool"
        assert instance.get_latest_materialization_event(observations.key) is None
    finally:
        storage.free_concurrency_slots_for_run("another-run")
        writer.join(timeout=300)
    assert results and results[0].success
    assert instance.get_latest_materialization_event(observations.key) is not None


def wait_for_blocked_step(instance: dg.DagsterInstance, attempts: int = 600) -> bool:
    """Poll the event log until a step reports it is blocked by the warehouse pool."""
    for _ in range(attempts):
        for run in instance.get_runs():
            for entry in instance.all_logs(run.run_id):
                if f"blocked by limit for pool {WAREHOUSE_POOL}" in (entry.message or ""):
                    return True
        time.sleep(0.5)
    return False


def in_progress(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    """The runs the daemon's run queue counts against `max_concurrent_runs` (STARTING, STARTED
    and CANCELING are in progress for Dagster's QueuedRunCoordinator)."""
    from pipelines.refresh.active_runs import active_runs

    return active_runs(instance)


def test_a_refresh_holds_the_run_slot_from_its_first_phase_to_its_last(citydip_home, monkeypatch):
    """Both phases of `citydip refresh` run inside one `citydip_refresh` run record, which the run
    queue counts as the one run in progress: no scheduled or sensor run is dequeued between the
    phases. After the refresh the slot is free again."""
    import pipelines.cli.refresh as refresh
    from pipelines.refresh.active_runs import WINDOW_JOB
    from pipelines.refresh.instance import get_instance
    from pipelines.settings import load_settings

    limit = yaml.safe_load(DEFAULT_DAGSTER_YAML)["concurrency"]["runs"]["max_concurrent_runs"]
    instance = get_instance(load_settings().dagster_home)
    seen = []

    def phases(settings, instance, select, console):  # where fetch and rebuild run
        seen.append([run.job_name for run in in_progress(instance)])
        return []

    monkeypatch.setattr(refresh, "execute", phases)
    result = citydip_in_process("refresh", "--quiet", env={})
    assert result.returncode == 0, result.stderr
    assert seen == [[WINDOW_JOB]] and len(seen[0]) >= limit  # a queued run would wait
    assert in_progress(instance) == []
    (window,) = instance.get_runs(filters=dg.RunsFilter(job_name=WINDOW_JOB))
    assert window.status == dg.DagsterRunStatus.SUCCESS


def test_the_window_ends_when_the_refresh_stops_or_dies(citydip_home):
    from pipelines.refresh.active_runs import refresh_window
    from pipelines.refresh.instance import get_instance
    from pipelines.refresh.recovery import HOST_TAG, PID_TAG, fail_orphaned_runs, run_tags
    from pipelines.settings import load_settings

    instance = get_instance(load_settings().dagster_home)
    try:
        with refresh_window(instance, run_tags()) as window:
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert instance.get_run_by_id(window.run_id).status == dg.DagsterRunStatus.CANCELED
    # a refresh killed inside its window: the next refresh fails the window it left
    dead = {**run_tags(), PID_TAG: "999999999"}
    assert dead[HOST_TAG]
    killed = refresh_window(instance, dead)  # entered, never left (kept: no GeneratorExit)
    orphan = killed.__enter__()
    assert in_progress(instance) == [instance.get_run_by_id(orphan.run_id)]
    assert fail_orphaned_runs(instance) == [orphan.run_id]
    assert in_progress(instance) == []
