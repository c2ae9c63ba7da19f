"""World Heritage properties within 100 km of each city centre (UNESCO list of 2023).

    python sources/snapshots/unesco_whc/build.py [OUTDIR]                      # the default build
    python sources/snapshots/unesco_whc/build.py [OUTDIR] --upstream PATH/whc-sites-2023.csv

`source_export/whc_sites_2023.csv` is an extract of UNESCO's list of World Heritage properties
(see README.md for where the list comes from): all 1,199 properties, only the columns used here
(id_no, name_en, category, states_name_en, date_inscribed, latitude, longitude), values as in the
list, rows by id_no. `--upstream` rebuilds that extract from `whc-sites-2023.csv`, writing it to
OUTDIR/source_export/; the default build reads the shipped one.

For every city of the seed (dbt_project/seeds/cities.csv) the count is the number of properties
whose recorded point lies within RADIUS_KM great-circle (haversine, mean Earth radius
6371.0088 km) of the city centre's latitude/longitude. The list is complete, so a city with no
property in range gets an explicit 0. A property without a point cannot be placed and is not
counted anywhere. Stdlib only; output is deterministic.
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # curated_build, build_cli
from build_cli import run, source_export  # noqa: E402
from curated_build import SEED, write_publication  # noqa: E402

EXPORT_NAME = "whc_sites_2023.csv"
OUTPUT = "world_heritage_sites_100km.csv"
RETRIEVED_AT = "2026-11-25T00:00:00+00:00"  # the day this snapshot was built
EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius
RADIUS_KM = 100.0
# upstream column -> extract column
COLUMNS = {
    "id_no": "id_no",
    "name_en": "name_en",
    "category": "category",
    "states_name_en": "states_name_en",
    "date_inscribed": "date_inscribed",
    "Latitude": "latitude",
    "Longitude": "longitude",
}


def derive_export(upstream: Path, export: Path) -> None:
    """Keep the columns used here, for every property, ordered by id_no; values unchanged."""
    with upstream.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = set(COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise SystemExit(f"{upstream}: no column(s) {sorted(missing)}")
        sites = [{new: row[old] for old, new in COLUMNS.items()} for row in reader]
    ids = [site["id_no"] for site in sites]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"{upstream}: duplicate id_no")
    with export.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS.values()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(sites, key=lambda site: int(site["id_no"])))


def read_export(export: Path) -> list[dict[str, str]]:
    with export.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlam = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def read_seed() -> list[dict[str, str]]:
    with SEED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def within(
    sites: list[dict[str, str]], lat: float, lon: float, radius_km: float
) -> list[tuple[float, dict[str, str]]]:
    """(distance, property) for every placed property within radius_km, nearest first."""
    near = []
    for site in sites:
        if not (site["latitude"].strip() and site["longitude"].strip()):
            continue
        km = haversine_km(lat, lon, float(site["latitude"]), float(site["longitude"]))
        if km <= radius_km:
            near.append((km, site))
    return sorted(near, key=lambda pair: (pair[0], int(pair[1]["id_no"])))


def rows(sites: list[dict[str, str]]) -> list[dict[str, object]]:
    out = []
    for city in read_seed():
        near = within(sites, float(city["latitude"]), float(city["longitude"]), RADIUS_KM)
        listed = "; ".join(
            f"{site['name_en'].strip()} (id {site['id_no']}, {km:.1f} km)" for km, site in near
        )
        out.append(
            {
                "indicator_id": "world_heritage_sites_100km",
                "geo_id": city["city_id"],
                "geo_level": "city",
                "period": 2023,
                "value": len(near),
                "unit": "count",
                "approximate": "false",
                "publisher": "UNESCO World Heritage Centre",
                "publication": "World Heritage List (1,199 properties, 2023)",
                "source_url": "https://whc.unesco.org/en/list/",
                "as_of": "2023-09",
                "note": f"within {RADIUS_KM:g} km of {city['latitude']}, {city['longitude']}: "
                + (listed or "none"),
            }
        )
    return out


def build_into(outdir: Path, upstream: Path | None = None) -> str:
    export = source_export(HERE, outdir, EXPORT_NAME, upstream, derive_export)
    table = rows(read_export(export))
    write_publication(outdir, "unesco_whc", OUTPUT, table, RETRIEVED_AT)
    return ", ".join(f"{row['geo_id']} {row['value']}" for row in table)


if __name__ == "__main__":
    run(__doc__, HERE, build_into, upstream="UNESCO's whc-sites-2023.csv")
