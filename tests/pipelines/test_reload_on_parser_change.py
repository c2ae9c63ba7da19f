"""An unchanged payload is not reloaded, unless the code that parses it changed since the load."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.defs.source_assets import build_source_assets
from pipelines.settings import load_settings
from sources import SOURCES
from sources.payload import Payload


def parse_and_add_one(payload: Payload):
    """A 'new parser' for the GFCI publication: a different function, in a different module."""
    frame = SOURCES["gfci"].parse(payload)
    frame["value"] = frame["value"] + 1  # within the ratings' and ranks' bounds
    return frame


def refresh(source, database: Path) -> dict:
    """Fetch (snapshot), check and load one source; the observations step's metadata."""
    result = dg.materialize(
        build_source_assets(source),
        instance=dg.DagsterInstance.ephemeral(),
        resources={"duckdb": DuckDBResource(database=str(database)), "settings": load_settings()},
    )
    loaded = [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey(["raw", f"{source.id}_observations"])
    ]
    return {k: v.value for k, v in loaded[0].materialization.metadata.items()}


def gfci_values(database: Path) -> list[float]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute("select value from raw.gfci_observations order by all").fetchall()
    return [v for (v,) in rows]


def test_unchanged_payload_and_parser_keep_the_rows(citydip_home, tmp_path: Path):
    database = tmp_path / "build.duckdb"
    first = refresh(SOURCES["gfci"], database)
    assert first["rows"] > 0 and "reloaded" not in first
    again = refresh(SOURCES["gfci"], database)
    assert again["reloaded"] is False


def test_a_parser_change_reloads_the_same_payload(citydip_home, tmp_path: Path):
    database = tmp_path / "build.duckdb"
    refresh(SOURCES["gfci"], database)
    before = gfci_values(database)
    changed = dataclasses.replace(SOURCES["gfci"], parse=parse_and_add_one)
    assert changed.parser_version != SOURCES["gfci"].parser_version
    reloaded = refresh(changed, database)
    assert "reloaded" not in reloaded and reloaded["rows"] == len(before)
    assert gfci_values(database) == [v + 1 for v in before]
