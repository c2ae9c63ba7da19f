"""One writer at a time: every writer of the working database shares a pool of one, and
`citydip refresh` refuses while any Dagster run (UI, schedule, sensor) is in progress."""

from __future__ import annotations

import dagster as dg
import yaml

from pipelines.definitions import defs
from pipelines.instance import DEFAULT_DAGSTER_YAML
from pipelines.source_assets import WAREHOUSE_POOL
from tests.conftest import run_citydip


def test_every_writer_of_the_working_database_is_in_the_warehouse_pool():
    graph = defs.resolve_asset_graph()
    writers = {
        key
        for key in graph.get_all_asset_keys()
        if key.path[0] != "payloads"  # fetches only land files under raw/
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
    from pipelines.instance import get_instance

    instance = get_instance()
    run = instance.add_run(
        dg.DagsterRun(
            job_name="__ASSET_JOB",
            run_id="launched-from-the-ui",
            status=dg.DagsterRunStatus.STARTED,
        )
    )
    env = {"CITYDIP_HOME": str(citydip_home), "DAGSTER_HOME": str(tmp_path / "dagster")}

    result = run_citydip("refresh", env=env)

    assert result.returncode == 75
    assert "refused" in result.stderr and run.run_id in result.stderr
    assert not (citydip_home / "raw").exists()  # nothing was fetched
    assert len(instance.get_runs()) == 1  # and no run was started
