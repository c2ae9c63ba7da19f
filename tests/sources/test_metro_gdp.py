"""Brookings Global MetroMonitor 2014: metropolitan GDP at PPP, typed from the report."""

from __future__ import annotations

import csv

from sources import SOURCES
from sources.source import SNAPSHOT_ROOT

SNAPSHOT = SNAPSHOT_ROOT / "metro_gdp"


def snapshot_frame():
    source = SOURCES["metro_gdp"]
    return source.observations(source.snapshot())


def test_snapshot_loads_the_2014_figures_in_dollars():
    frame = snapshot_frame()
    billions = (frame.set_index("geo_id")["value"] / 1e9).to_dict()
    assert billions == {
        "tokyo": 1617.0,
        "new-york": 1403.0,
        "seoul": 846.0,
        "london": 836.0,
        "paris": 715.0,
        "shanghai": 594.0,
        "hong-kong": 416.0,
        "singapore": 366.0,
    }
    assert "dubai" not in billions  # not found in the report: no row, never an estimate
    assert set(frame.period) == {2014}
    assert set(frame.unit) == {"USD PPP"}
    assert frame["approximate"].all()  # typed


def test_every_row_is_a_metro_figure_citing_the_report():
    with (SNAPSHOT / "metro_gdp_ppp.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["geo_level"] for row in rows} == {"metro"}
    assert {row["publication"] for row in rows} == {
        "Global MetroMonitor 2014: An Uncertain Recovery"
    }
    assert {row["as_of"] for row in rows} == {"2015-01"}
    assert all(row["value"].isdigit() for row in rows)  # whole dollars, not billions
