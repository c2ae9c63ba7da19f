"""A refresh rebuilds only what changed: nothing when no source changed, and only the changed
source's downstream when one did (judged by Dagster data versions; pipelines/refresh/plan.py)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from pytest_httpserver import HTTPServer

from pipelines.refresh.active_runs import WINDOW_JOB
from tests.conftest import citydip_in_process
from tests.published import copy_published

QS_CSV = (
    Path(__file__).resolve().parents[2] / "sources/snapshots/qs_rankings/qs_top100_universities.csv"
)
PHASE_TAG = "citydip/refresh_phase"


def materialised_in_runs(instance: dg.DagsterInstance, run_ids: list[str]) -> set[str]:
    keys = set()
    for run_id in run_ids:
        for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
            keys.add(entry.dagster_event.asset_key.to_user_string())
    return keys


def dbt_model_keys() -> set[str]:
    from pipelines.defs.dbt_models import build_dbt_models

    return {key.to_user_string() for key in build_dbt_models({}).keys}


@pytest.fixture(scope="module")
def three_refreshes(shared_warehouse, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Cold refresh, a second with no source changed, a third with one source (the QS
    publication) changed (served live by a local server: the real snapshot minus its last rows).

    The cold refresh is the session's shared one; the other two run on a copy of its home."""
    root = tmp_path_factory.mktemp("incremental")
    env = copy_published(shared_warehouse, root)
    results = {"cold": shared_warehouse.refresh, "cold_runs": list(shared_warehouse.run_ids)}
    before = _run_ids(env)
    results["unchanged"] = citydip_in_process("refresh", env=env)
    results["unchanged_runs"] = [r for r in _run_ids(env) if r not in before]
    lines = QS_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    shorter = "".join(lines[:-3]).encode()
    with HTTPServer() as server:
        server.expect_request("/qs_top100_universities.csv").respond_with_data(
            shorter, content_type="text/csv"
        )
        live = {
            **env,
            "CITYDIP_LIVE_SOURCES": "qs_rankings",
            "CITYDIP_QS_RANKINGS_BASE_URL": server.url_for("").rstrip("/"),
        }
        before = _run_ids(env)
        results["changed"] = citydip_in_process("refresh", env=live)
        results["changed_runs"] = [r for r in _run_ids(env) if r not in before]
    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    results["instance"] = dg.DagsterInstance.get()
    results["published"] = root / "home" / "citydip.duckdb"
    return results


def _run_ids(env: dict) -> list[str]:
    history = Path(env["DAGSTER_HOME"]) / "history" / "runs"
    return sorted(p.stem for p in history.glob("*.db") if p.stem != "index")


def test_every_refresh_succeeds(three_refreshes):
    for name in ("cold", "unchanged", "changed"):
        result = three_refreshes[name]
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_cold_refresh_builds_every_dbt_model(three_refreshes):
    built = materialised_in_runs(three_refreshes["instance"], three_refreshes["cold_runs"])
    assert dbt_model_keys() <= built
    assert "published_warehouse" in built


def test_unchanged_refresh_fetches_but_rebuilds_nothing(three_refreshes):
    instance = three_refreshes["instance"]
    runs = three_refreshes["unchanged_runs"]
    built = materialised_in_runs(instance, runs)
    assert {"payloads/worldbank", "payloads/qs_rankings"} <= built  # it did fetch and check
    assert not built & dbt_model_keys()
    assert not {k for k in built if k.startswith("raw/")}
    assert "published_warehouse" not in built
    phase_runs = [r for r in map(instance.get_run_by_id, runs) if r.job_name != WINDOW_JOB]
    assert {run.tags.get(PHASE_TAG) for run in phase_runs} == {"fetch"}
    assert "nothing to rebuild" in three_refreshes["unchanged"].stdout


def test_one_changed_source_rebuilds_only_its_downstream(three_refreshes):
    built = materialised_in_runs(three_refreshes["instance"], three_refreshes["changed_runs"])
    dbt_built = built & dbt_model_keys()
    assert "raw/qs_rankings_observations" in built
    assert "raw/worldbank_observations" not in built
    assert "stg_qs_rankings__observations" in dbt_built
    assert "fct_observation" in dbt_built and "scorecard_city" in dbt_built
    assert "stg_worldbank__observations" not in dbt_built
    assert not {k for k in dbt_built if k.startswith("seeds/")}
    # dim_city follows the data (is_scored: a city needs observations in enough pillars); the
    # indicator registry does not, and QS changed no indicator
    assert "dim_city" in dbt_built
    assert "dim_indicator" not in dbt_built
    assert "published_warehouse" in built


def test_changed_source_reaches_the_published_warehouse(three_refreshes):
    total = len(QS_CSV.read_text(encoding="utf-8").splitlines()) - 1  # served: the last 3 cut
    with duckdb.connect(str(three_refreshes["published"]), read_only=True) as con:
        loaded = con.execute(
            "select count(*) from fct_observation where source_id = 'qs_rankings'"
        ).fetchone()[0]
    assert loaded == total - 3
