"""UNESCO World Heritage properties within 100 km of each city: extract, build, loaded counts."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from sources import SOURCES
from sources.source import SNAPSHOT_ROOT

SNAPSHOT = SNAPSHOT_ROOT / "unesco_whc"
BUILD = SNAPSHOT / "build.py"
EXPORT = SNAPSHOT / "source_export" / "whc_sites_2023.csv"
SHIPPED = ("world_heritage_sites_100km.csv", "manifest.json")


def build_module():
    spec = importlib.util.spec_from_file_location("unesco_whc_build", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_build(*args: str) -> None:
    subprocess.run([sys.executable, str(BUILD), *args], check=True, capture_output=True)


def snapshot_frame():
    source = SOURCES["unesco_whc"]
    return source.observations(source.snapshot())


def test_build_reproduces_the_shipped_csv_and_manifest(tmp_path: Path):
    run_build(str(tmp_path))
    for name in SHIPPED:
        assert (tmp_path / name).read_bytes() == (SNAPSHOT / name).read_bytes(), name


def test_snapshot_loads_a_count_for_every_city_zero_included():
    frame = snapshot_frame()
    assert frame.set_index("geo_id")["value"].to_dict() == {
        "hong-kong": 1.0,  # Historic Centre of Macao, 66 km
        "singapore": 1.0,
        "tokyo": 2.0,  # Fujisan 94.7 km, Tomioka Silk Mill 95.9 km
        "seoul": 5.0,  # Kaesong (DPRK), 62 km, included: the radius ignores borders
        "shanghai": 1.0,  # Classical Gardens of Suzhou, 97.8 km
        "london": 6.0,
        "paris": 5.0,
        "new-york": 1.0,
        "dubai": 0.0,  # an explicit zero: the list is complete
    }
    assert set(frame.period) == {2023}
    assert not frame["approximate"].any()


def test_extract_keeps_every_property_and_only_the_needed_columns():
    with EXPORT.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        sites = list(reader)
    assert reader.fieldnames == [
        "id_no",
        "name_en",
        "category",
        "states_name_en",
        "date_inscribed",
        "latitude",
        "longitude",
    ]
    assert len(sites) == 1199
    assert [int(s["id_no"]) for s in sites] == sorted(int(s["id_no"]) for s in sites)
    unplaced = [s["id_no"] for s in sites if not s["latitude"]]
    assert unplaced == ["1567"]  # First World War Western Front sites: no single point
    tower = next(s for s in sites if s["id_no"] == "488")
    assert (tower["name_en"], tower["latitude"], tower["longitude"]) == (
        "Tower of London",
        "51.50805556",
        "-0.076111111",
    )


def test_haversine_and_the_radius_edge():
    build = build_module()
    # one degree of latitude on the mean-radius sphere
    assert build.haversine_km(0, 0, 1, 0) == pytest.approx(111.1951, abs=1e-4)
    sites = [
        {"id_no": "1", "latitude": "0.8990", "longitude": "0"},  # 99.96 km north
        {"id_no": "2", "latitude": "0.9000", "longitude": "0"},  # 100.08 km north
        {"id_no": "3", "latitude": "", "longitude": ""},  # no point: never counted
    ]
    assert [s["id_no"] for _, s in build.within(sites, 0.0, 0.0, 100.0)] == ["1"]


def test_fifty_km_counts_for_information():
    build = build_module()
    sites = build.read_export(EXPORT)
    counts = {
        city["city_id"]: len(
            build.within(sites, float(city["latitude"]), float(city["longitude"]), 50.0)
        )
        for city in build.read_seed()
    }
    assert counts == {
        "hong-kong": 0,
        "singapore": 1,
        "tokyo": 0,
        "seoul": 4,
        "shanghai": 0,
        "london": 4,
        "paris": 2,
        "new-york": 1,
        "dubai": 0,
    }


def test_a_city_added_to_the_seed_is_picked_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    build = build_module()
    with build.SEED.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        fields = list(reader.fieldnames or [])
    extra = {"city_id": "rome", "city_name": "Rome", "country_iso3": "ITA"}
    rows.append(
        {f: extra.get(f, "") for f in fields} | {"latitude": "41.8933", "longitude": "12.4828"}
    )
    seed = tmp_path / "cities.csv"
    with seed.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setattr(build, "SEED", seed)
    table = {row["geo_id"]: row for row in build.rows(build.read_export(EXPORT))}
    assert len(table) == 10
    # Historic Centre of Rome, Vatican City, Villa Adriana, Villa d'Este, Cerveteri/Tarquinia
    assert table["rome"]["value"] == 5
    assert "Vatican City (id 286, 2.3 km)" in table["rome"]["note"]
