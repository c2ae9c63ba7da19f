"""GaWC Data Set 31: global network connectivity 2020, as a percentage of London's."""

from __future__ import annotations

import csv
import subprocess
import sys

from sources import SOURCES
from sources.cities import load_cities
from sources.source import SNAPSHOT_ROOT

SNAPSHOT = SNAPSHOT_ROOT / "gawc"
FILES = ("gawc_connectivity.csv", "manifest.json")


def frame():
    source = SOURCES["gawc"]
    return source.observations(source.snapshot())


def test_build_py_reproduces_the_snapshot(tmp_path):
    subprocess.run([sys.executable, str(SNAPSHOT / "build.py"), str(tmp_path)], check=True)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SNAPSHOT / name).read_bytes(), name


def test_every_seed_city_in_2020_relative_to_london():
    gawc = frame()
    assert set(gawc.period) == {2020} and set(gawc.unit) == {"index"}
    value = gawc.set_index("geo_id")["value"].to_dict()
    assert set(value) == {city.city_id for city in load_cities()}
    assert value == {
        "london": 100.0,
        "new-york": 86.07,
        "hong-kong": 70.32,
        "singapore": 65.36,
        "shanghai": 64.72,
        "dubai": 63.6,
        "paris": 60.57,
        "tokyo": 60.35,
        "seoul": 46.16,
    }


def test_names_with_a_state_in_brackets_match_and_the_rank_is_kept():
    with (SNAPSHOT / "gawc_connectivity.csv").open(newline="", encoding="utf-8") as handle:
        rows = {r["geo_id"]: r for r in csv.DictReader(handle)}
    assert '"New York (New York)" (U.S.)' in rows["new-york"]["note"]
    assert rows["new-york"]["note"].startswith("GaWC rank 2 of 707")
    assert rows["seoul"]["note"].startswith("GaWC rank 26 of 707")
    assert rows["hong-kong"]["value"] == "70.32"  # 70.3213... rounded to 2 decimals
