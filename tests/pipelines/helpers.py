"""Test helpers: a Dagster instance as it is after a successful refresh, without running one."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import dagster as dg

from sources.curated import GFCI


def record_successful_refresh(instance: dg.DagsterInstance, defs: dg.Definitions) -> None:
    """Report every asset materialised (upstream first) and every check passed."""
    graph = defs.resolve_asset_graph()
    for key in graph.toposorted_asset_keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(key))
    for check in graph.asset_check_keys:
        instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(asset_key=check.asset_key, check_name=check.name, passed=True)
        )


def broken_curated(tmp_path: Path):
    """The GFCI publication reading a snapshot whose row has no provenance: its check must fail."""
    folder = tmp_path / "snapshots" / GFCI.id
    folder.mkdir(parents=True)
    original = GFCI.snapshot_dir / GFCI.id
    (folder / "manifest.json").write_text((original / "manifest.json").read_text())
    for part in original.glob("*.csv"):
        with part.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        rows[0]["publisher"] = ""  # a figure without its publisher
        with (folder / part.name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return dataclasses.replace(GFCI, snapshot_dir=tmp_path / "snapshots")
