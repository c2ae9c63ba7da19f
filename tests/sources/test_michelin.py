"""MICHELIN Guide starred restaurants per city: the derived export, its build, the loaded figures."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from sources import SOURCES
from sources.source import SNAPSHOT_ROOT

SNAPSHOT = SNAPSHOT_ROOT / "michelin"
BUILD = SNAPSHOT / "build.py"
EXPORT = SNAPSHOT / "source_export" / "michelin_location_awards.csv"
SHIPPED = ("michelin_starred_restaurants.csv", "manifest.json")
UPSTREAM_HEADER = (
    "Name,Address,Location,Price,Cuisine,Longitude,Latitude,PhoneNumber,Url,WebsiteUrl,Award,"
    "FacilitiesAndServices"
)


BANGKOK = {
    "city_id": "bangkok",
    "city_name": "Bangkok",
    "country_iso3": "THA",
    "latitude": "13.7525",
    "longitude": "100.4942",
}


def seed_with(tmp_path: Path, seed: Path, city: dict[str, str]) -> Path:
    """A copy of the city seed with one more city (columns the test does not set left empty)."""
    with seed.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = [*reader, {field: city.get(field, "") for field in reader.fieldnames or []}]
    out = tmp_path / "cities.csv"
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out


def build_module():
    spec = importlib.util.spec_from_file_location("michelin_build", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BUILD), *args], check=True, capture_output=True, text=True
    )


def snapshot_frame():
    source = SOURCES["michelin"]
    return source.observations(source.snapshot())


def test_build_reproduces_the_shipped_csv_and_manifest(tmp_path: Path):
    run_build(str(tmp_path))
    for name in SHIPPED:
        assert (tmp_path / name).read_bytes() == (SNAPSHOT / name).read_bytes(), name


def test_snapshot_loads_the_counts_of_august_2023():
    frame = snapshot_frame()
    counts = frame.set_index("geo_id")["value"].to_dict()
    assert counts == {
        "tokyo": 199.0,
        "paris": 118.0,
        "hong-kong": 77.0,
        "london": 74.0,
        "new-york": 71.0,
        "singapore": 55.0,
        "shanghai": 50.0,
        "seoul": 34.0,
        "dubai": 14.0,
    }
    assert set(frame.period) == {2023}
    assert set(frame.indicator_id) == {"michelin_starred_restaurants"}
    assert not frame["approximate"].any()  # counted by program from the crawl


def test_hong_kong_adds_up_both_spellings_of_its_location():
    with (SNAPSHOT / "michelin_starred_restaurants.csv").open(newline="", encoding="utf-8") as f:
        note = next(row["note"] for row in csv.DictReader(f) if row["geo_id"] == "hong-kong")
    assert "'Hong Kong' + 'Hong Kong, Hong Kong SAR China'" in note
    assert "7 three-star, 13 two-star, 57 one-star" in note


def test_export_holds_only_counts_per_location_and_award():
    with EXPORT.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == ["Location", "Award", "restaurants"]  # no names or addresses
    assert sum(int(row["restaurants"]) for row in rows) == 6847  # every restaurant of the crawl
    keys = [(row["Location"], row["Award"]) for row in rows]
    assert len(keys) == len(set(keys))
    tokyo = {
        row["Award"]: int(row["restaurants"]) for row in rows if row["Location"] == "Tokyo, Japan"
    }
    assert tokyo == {
        "3 MICHELIN Stars": 12,
        "2 MICHELIN Stars": 39,
        "1 MICHELIN Star": 148,
        "Bib Gourmand": 216,
    }
    # a look-alike Location is a different place, never matched by prefix or substring
    assert {"York, United Kingdom", "Le Touquet-Paris-Plage, France"} <= {k[0] for k in keys}


def test_upstream_mode_derives_the_export_then_the_counts(tmp_path: Path):
    upstream = tmp_path / "michelin_my_maps.csv"
    lines = [
        UPSTREAM_HEADER,
        'A,"1 Road, Tokyo","Tokyo, Japan",$$,Sushi,139.7,35.7,,u1,,3 MICHELIN Stars,',
        'B,"2 Road, Tokyo","Tokyo, Japan",$$,Sushi,139.7,35.7,,u2,,Bib Gourmand,',
        'C,"3 Road, Hong Kong",Hong Kong,$$,Cantonese,114.2,22.3,,u3,,1 MICHELIN Star,',
        'D,"4 Road","Hong Kong, Hong Kong SAR China",$$,Cantonese,114.2,22.3,,u4,,2 MICHELIN Stars,',
        'E,"5 Road, York","York, United Kingdom",$$,Modern,-1.1,54.0,,u5,,1 MICHELIN Star,',
        'F,"6 Road, Seoul","Seoul, South Korea",$,Korean,127.0,37.6,,u6,,Bib Gourmand,',
    ]
    upstream.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    run_build(str(out), "--upstream", str(upstream))
    export = (out / "source_export" / "michelin_location_awards.csv").read_text(encoding="utf-8")
    assert export == (
        "Location,Award,restaurants\n"
        "Hong Kong,1 MICHELIN Star,1\n"
        '"Hong Kong, Hong Kong SAR China",2 MICHELIN Stars,1\n'
        '"Seoul, South Korea",Bib Gourmand,1\n'
        '"Tokyo, Japan",3 MICHELIN Stars,1\n'
        '"Tokyo, Japan",Bib Gourmand,1\n'
        '"York, United Kingdom",1 MICHELIN Star,1\n'
    )
    with (out / "michelin_starred_restaurants.csv").open(newline="", encoding="utf-8") as handle:
        values = {row["geo_id"]: row["value"] for row in csv.DictReader(handle)}
    # London has no guide Location here (York is not London): no row; Seoul has a guide: 0
    assert values == {"hong-kong": "2", "tokyo": "1", "seoul": "0"}


def test_a_city_added_to_the_seed_is_picked_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    build = build_module()
    monkeypatch.setattr(build, "SEED", seed_with(tmp_path, build.SEED, BANGKOK))
    rows = {row["geo_id"]: row for row in build.rows(build.read_export(EXPORT))}
    assert len(rows) == 10
    assert rows["bangkok"]["value"] == 33  # 6 two-star + 27 one-star in 'Bangkok, Thailand'
    assert "'Bangkok, Thailand'" in rows["bangkok"]["note"]


def test_an_unmapped_guide_country_stops_the_build():
    build = build_module()
    with pytest.raises(SystemExit, match="Atlantis"):
        build.rows({"Poseidonis, Atlantis": build.Counter({"1 MICHELIN Star": 1})})
