"""A live-only source (no snapshot) in snapshot mode loads nothing and keeps its last live rows.

Every shipped source has a snapshot today; the live-only path is exercised with wikidata's
definition pointed at an empty snapshot folder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.defs.payload_checks import build_payload_checks
from pipelines.defs.source_assets import build_source_assets
from pipelines.settings import load_settings
from sources import wikidata


def refresh_wikidata(database: Path) -> dg.ExecuteInProcessResult:
    live_only = dataclasses.replace(wikidata.SOURCE, snapshot_dir=database.parent / "no-snapshots")
    assert not live_only.has_snapshot
    return dg.materialize(
        [*build_source_assets(live_only), build_payload_checks(live_only)],
        resources={"duckdb": DuckDBResource(database=str(database)), "settings": load_settings()},
    )


def test_snapshot_mode_keeps_the_last_live_rows(citydip_home: Path, tmp_path: Path):
    database = tmp_path / "build.duckdb"
    assert refresh_wikidata(database).success
    with duckdb.connect(str(database)) as con:
        assert con.execute("select count(*) from raw.wikidata_observations").fetchone()[0] == 0
        con.execute(
            "insert into raw.wikidata_observations values ('wikidata', 'sister_cities', "
            "'paris', 'city', 2026, 2.0, 'count', now(), repeat('a', 64), false)"
        )
    result = refresh_wikidata(database)
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert [c.passed for c in checks] == [True, True]  # schema_valid, no_absurd_revision
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute("select geo_id, value from raw.wikidata_observations").fetchall()
    assert rows == [("paris", 2.0)]
    assert not (citydip_home / "raw" / "wikidata").exists()  # nothing was landed
