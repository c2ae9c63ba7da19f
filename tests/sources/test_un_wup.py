"""UN WUP 2018 (file F22): urban-agglomeration population, the city denominator."""

from __future__ import annotations

import csv
import subprocess
import sys

from sources import SOURCES
from sources.cities import load_cities
from sources.source import SNAPSHOT_ROOT

SNAPSHOT = SNAPSHOT_ROOT / "un_wup"
FILES = ("city_population.csv", "manifest.json")


def frame():
    source = SOURCES["un_wup"]
    return source.observations(source.snapshot())


def test_build_py_reproduces_the_snapshot(tmp_path):
    subprocess.run([sys.executable, str(SNAPSHOT / "build.py"), str(tmp_path)], check=True)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SNAPSHOT / name).read_bytes(), name


def test_every_seed_city_has_2000_to_2030():
    population = frame()
    assert set(population.indicator_id) == {"city_population"}
    assert set(population.unit) == {"persons"} and set(population.geo_level) == {"metro"}
    assert not population["approximate"].any()
    years = population.groupby("geo_id")["period"].agg(lambda p: sorted(p))
    assert set(years.index) == {city.city_id for city in load_cities()}
    assert all(list(y) == list(range(2000, 2031)) for y in years)


def test_known_figures_in_persons():
    value = frame().set_index(["geo_id", "period"])["value"]
    assert value["tokyo", 2018] == 37_468_302  # the world's largest agglomeration
    assert value["tokyo", 2023] == 37_194_105  # a projection: Tokyo shrinking after 2020
    assert value["hong-kong", 2023] == 7_684_801
    assert value["new-york", 2018] == 18_819_361  # "New York-Newark"
    assert value["dubai", 2018] == 2_785_376  # "Dubayy (Dubai)"
    assert value["london", 2018] == 9_046_485  # London, United Kingdom (not Ontario)
    assert value["singapore", 2000] == 3_913_960


def test_thousands_become_persons_and_projections_are_labelled():
    with (SNAPSHOT / "city_population.csv").open(newline="", encoding="utf-8") as handle:
        rows = {(r["geo_id"], r["period"]): r for r in csv.DictReader(handle)}
    assert rows["seoul", "2018"]["value"] == "9963497"  # 9963.497 thousand in F22
    assert rows["seoul", "2018"]["note"].startswith("UN estimate;")
    assert rows["seoul", "2019"]["note"].startswith("UN projection (after 2018);")
    assert "Seoul Special City" in rows["seoul", "2018"]["note"]  # the UN footnote travels along
