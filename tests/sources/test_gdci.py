"""Mastercard GDCI: international overnight visitors and their spending, data years 2011-2018."""

from __future__ import annotations

import csv
import subprocess
import sys

from sources import SOURCES
from sources.cities import load_cities
from sources.source import SNAPSHOT_ROOT

SNAPSHOT = SNAPSHOT_ROOT / "gdci"
FILES = ("gdci_visitors.csv", "manifest.json")


def frame():
    source = SOURCES["gdci"]
    return source.observations(source.snapshot())


def test_build_py_reproduces_the_snapshot(tmp_path):
    subprocess.run([sys.executable, str(SNAPSHOT / "build.py"), str(tmp_path)], check=True)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SNAPSHOT / name).read_bytes(), name


def test_visitors_cover_every_seed_city():
    visitors = frame().query("indicator_id == 'intl_overnight_visitors'")
    assert set(visitors.geo_id) == {city.city_id for city in load_cities()}
    years = visitors.groupby("geo_id")["period"].agg(set)
    assert years["shanghai"] == set(range(2011, 2017))  # outside the extract's list after 2016
    assert all(years[c] == set(range(2011, 2019)) for c in years.index if c != "shanghai")
    assert not frame()["approximate"].any() and set(frame().geo_level) == {"city"}


def test_known_figures():
    value = frame().set_index(["indicator_id", "geo_id", "period"])["value"]
    assert value["intl_overnight_visitors", "london", 2018] == 19_090_000
    assert value["intl_overnight_visitors", "paris", 2018] == 19_100_000
    assert value["intl_overnight_visitors", "hong-kong", 2018] == 8_230_000
    assert value["intl_visitor_spending", "dubai", 2018] == 30_820_000_000
    assert value["intl_visitor_spending", "singapore", 2018] == 16_560_000_000
    assert ("intl_visitor_spending", "hong-kong", 2018) not in value.index  # not in that list


def test_millions_and_billions_are_scaled_and_the_edition_is_named():
    with (SNAPSHOT / "gdci_visitors.csv").open(newline="", encoding="utf-8") as handle:
        rows = {(r["indicator_id"], r["geo_id"], r["period"]): r for r in csv.DictReader(handle)}
    tokyo = rows["intl_overnight_visitors", "tokyo", "2018"]
    assert tokyo["value"] == "12930000" and tokyo["unit"] == "persons"  # 12.93 million
    spend = rows["intl_visitor_spending", "tokyo", "2018"]
    assert spend["value"] == "13770000000" and spend["unit"] == "USD current"  # 13.77 billion
    assert spend["publication"] == "Mastercard Global Destination Cities Index 2019"
    assert "data year 2018" in spend["note"]
    assert "doubtful" in rows["intl_visitor_spending", "dubai", "2011"]["note"]
