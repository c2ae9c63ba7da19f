"""`citydip refresh --select SOURCE` on a fresh home: the other sources are loaded too (from their
snapshots), since the scorecard is built from every source's table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import citydip_in_process


@pytest.mark.e2e  # a cold build on a fresh home
def test_select_on_a_fresh_home_loads_every_source_once(tmp_path: Path):
    env = {"CITYDIP_HOME": str(tmp_path / "home"), "DAGSTER_HOME": str(tmp_path / "dagster")}
    first = citydip_in_process("refresh", "--select", "gfci", env=env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "a new warehouse: every source is refreshed" in first.stdout
    with duckdb.connect(str(tmp_path / "home" / "citydip.duckdb"), read_only=True) as con:
        loaded = {
            r[0] for r in con.execute("select distinct source_id from fct_observation").fetchall()
        }
    assert {"gfci", "worldbank", "qs_rankings"} <= loaded

    second = citydip_in_process("refresh", "--select", "gfci", env=env)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "every source is refreshed" not in second.stdout
    assert "also refreshing" not in second.stdout  # every source has been loaded once


def test_sources_never_loaded_are_named():
    """A source added since the last refresh has no observations materialisation yet."""
    import dagster as dg

    from pipelines.cli.refresh import never_loaded
    from pipelines.defs.source_assets import observations_key
    from sources import SOURCES

    instance = dg.DagsterInstance.ephemeral()
    for source_id in ("worldbank", "gfci"):
        instance.report_runless_asset_event(
            dg.AssetMaterialization(observations_key(SOURCES[source_id]))
        )
    assert never_loaded(instance, {"worldbank", "gfci", "ipo_funds", "openflights"}) == [
        "ipo_funds",
        "openflights",
    ]
