"""QS Best Student Cities 2024: the overall score per city."""

from __future__ import annotations

import csv
import subprocess
import sys

from sources import SOURCES
from sources.cities import load_cities
from sources.source import SNAPSHOT_ROOT

SNAPSHOT = SNAPSHOT_ROOT / "qs_student_cities"
FILES = ("qs_student_city_score.csv", "manifest.json")


def frame():
    source = SOURCES["qs_student_cities"]
    return source.observations(source.snapshot())


def test_build_py_reproduces_the_snapshot(tmp_path):
    subprocess.run([sys.executable, str(SNAPSHOT / "build.py"), str(tmp_path)], check=True)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SNAPSHOT / name).read_bytes(), name


def test_every_seed_city_is_scored_in_the_2024_edition():
    qs = frame()
    assert set(qs.period) == {2024} and set(qs.unit) == {"score"}
    assert not qs["approximate"].any()
    score = qs.set_index("geo_id")["value"].to_dict()
    assert set(score) == {city.city_id for city in load_cities()}
    assert score == {
        "london": 100.0,
        "tokyo": 98.0,
        "seoul": 97.6,
        "paris": 96.3,
        "singapore": 90.7,
        "new-york": 89.6,
        "hong-kong": 86.5,
        "shanghai": 76.8,
        "dubai": 75.8,
    }


def test_underscored_names_match_and_the_rank_is_kept():
    with (SNAPSHOT / "qs_student_city_score.csv").open(newline="", encoding="utf-8") as handle:
        rows = {r["geo_id"]: r for r in csv.DictReader(handle)}
    assert '"New_York" (United_States)' in rows["new-york"]["note"]
    assert '"Hong_Kong_SAR"' in rows["hong-kong"]["note"]
    assert rows["hong-kong"]["note"].startswith("QS rank 21 of 156")
    assert rows["dubai"]["note"].startswith("QS rank 54 of 156")
