"""`citydip refresh` end to end into a temporary CITYDIP_HOME: sources, checks, dbt, publish.

The first refresh is the session's shared one (tests/published.py); the second runs on a copy."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import citydip_in_process
from tests.published import copy_published

CITIES = {
    "hong-kong",
    "singapore",
    "tokyo",
    "seoul",
    "shanghai",
    "london",
    "paris",
    "new-york",
    "dubai",
}


@pytest.fixture(scope="module")
def refreshed(shared_warehouse, tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("e2e")
    env = copy_published(shared_warehouse, root)
    first = shared_warehouse.refresh
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    published_db = root / "home" / "citydip.duckdb"
    with duckdb.connect(str(published_db), read_only=True) as con:
        counts_first = con.execute("select count(*) from fct_observation").fetchone()[0]
    second = citydip_in_process("refresh", env=env)
    return {
        "env": env,
        "root": root,
        "first": first,
        "second": second,
        "published": published_db,
        "counts_first": counts_first,
    }


def test_every_default_city_gets_a_scored_row(refreshed):
    with duckdb.connect(str(refreshed["published"]), read_only=True) as con:
        scored = {
            c
            for (c,) in con.execute(
                "select distinct city_id from scorecard_city where overall_score is not null"
            ).fetchall()
        }
    assert scored == CITIES
    assert "Hong Kong" in refreshed["first"].stdout  # the top rows are printed


def test_published_tables_are_queryable_unqualified(refreshed):
    with duckdb.connect(str(refreshed["published"]), read_only=True) as con:
        tables = {
            t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()
        }
    assert {
        "dim_city",
        "dim_indicator",
        "fct_observation",
        "scorecard_indicator",
        "scorecard_pillar",
        "scorecard_city",
    } <= tables


def test_second_refresh_is_idempotent(refreshed):
    assert refreshed["second"].returncode == 0, refreshed["second"].stderr[-3000:]
    with duckdb.connect(str(refreshed["published"]), read_only=True) as con:
        count = con.execute("select count(*) from fct_observation").fetchone()[0]
        duplicates = con.execute(
            "select count(*) from (select source_id, indicator_id, geo_id, period "
            "from fct_observation group by all having count(*) > 1)"
        ).fetchone()[0]
    assert count == refreshed["counts_first"] > 0
    assert duplicates == 0


def test_raw_payloads_are_landed_content_addressed(refreshed):
    raw = Path(refreshed["env"]["CITYDIP_HOME"]) / "raw"
    for source in ("worldbank", "qs_rankings"):
        manifests = list((raw / source).glob("*.manifest.json"))
        assert len(manifests) == 1  # the same snapshot twice lands once
        assert (raw / source / "latest.json").exists()


def test_dbt_tests_ran_as_blocking_checks(refreshed):
    import os

    from dagster import DagsterInstance

    from pipelines.refresh.active_runs import WINDOW_JOB

    os.environ["DAGSTER_HOME"] = refreshed["env"]["DAGSTER_HOME"]
    instance = DagsterInstance.get()
    runs = [r for r in instance.get_runs() if r.job_name != WINDOW_JOB]
    # the first refresh fetches then rebuilds everything; the second only fetches (no change)
    assert len(runs) == 3 and all(r.is_success for r in runs)
