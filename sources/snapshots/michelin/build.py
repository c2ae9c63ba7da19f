"""Starred restaurants per city from the MICHELIN Guide selection as crawled in August 2023.

    python sources/snapshots/michelin/build.py [OUTDIR]                       # the default build
    python sources/snapshots/michelin/build.py [OUTDIR] --upstream PATH/michelin_my_maps.csv

The restaurant listing is Michelin's, so citydip ships only a derived file:
`source_export/michelin_location_awards.csv`, the number of restaurants per (Location, Award) for
every Location in the listing. `--upstream` rebuilds that file from the crawl's
`data/michelin_my_maps.csv` (see README.md for its repository and commit), writing it to
OUTDIR/source_export/; the default build reads the shipped one.

A seed city (dbt_project/seeds/cities.csv) matches a guide Location when the Location's city part
equals its `city_name` and the Location's country maps to its `country_iso3`. The guide writes a
Location as "City, Country", or bare for city-states and a few others ("Singapore", "Dubai"), and
spells Hong Kong both ways ("Hong Kong" and "Hong Kong, Hong Kong SAR China"); all matching
Locations are added up. A city with no Location in the listing has no guide and gets no row; a
city with a guide but no starred restaurant gets 0. Stdlib only; output is deterministic.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # curated_build, build_cli
from build_cli import run, source_export  # noqa: E402
from curated_build import SEED, write_publication  # noqa: E402

EXPORT_NAME = "michelin_location_awards.csv"
OUTPUT = "michelin_starred_restaurants.csv"
RETRIEVED_AT = "2026-11-25T00:00:00+00:00"  # the day this snapshot was built
UPSTREAM = "github.com/ngshiheng/michelin-my-maps@330e9517 (data/michelin_my_maps.csv)"

AWARDS = ["3 MICHELIN Stars", "2 MICHELIN Stars", "1 MICHELIN Star", "Bib Gourmand"]
STARS = {"3 MICHELIN Stars": 3, "2 MICHELIN Stars": 2, "1 MICHELIN Star": 1}
# The guide's country names (the part after the last ", " of a Location) and its bare Locations.
COUNTRY_ISO3 = {
    "Andorra": "AND",
    "Austria": "AUT",
    "Belgium": "BEL",
    "Brazil": "BRA",
    "Canada": "CAN",
    "China Mainland": "CHN",
    "Croatia": "HRV",
    "Czech Republic": "CZE",
    "Czechia": "CZE",
    "Denmark": "DNK",
    "Estonia": "EST",
    "Finland": "FIN",
    "France": "FRA",
    "Germany": "DEU",
    "Greece": "GRC",
    "Hong Kong SAR China": "HKG",
    "Hungary": "HUN",
    "Iceland": "ISL",
    "Ireland": "IRL",
    "Italy": "ITA",
    "Japan": "JPN",
    "Luxembourg": "LUX",
    "Malaysia": "MYS",
    "Malta": "MLT",
    "Netherlands": "NLD",
    "Norway": "NOR",
    "Poland": "POL",
    "Portugal": "PRT",
    "Serbia": "SRB",
    "Slovenia": "SVN",
    "South Korea": "KOR",
    "Spain": "ESP",
    "Sweden": "SWE",
    "Switzerland": "CHE",
    "Taiwan": "TWN",
    "Thailand": "THA",
    "Türkiye": "TUR",
    "United Kingdom": "GBR",
    "USA": "USA",
    "Vietnam": "VNM",
}
BARE_ISO3 = {
    "Abu Dhabi": "ARE",
    "Dubai": "ARE",
    "Hong Kong": "HKG",
    "Luxembourg": "LUX",
    "Macau": "MAC",
    "Singapore": "SGP",
}


def derive_export(upstream: Path, export: Path) -> None:
    """Count the crawl's restaurants per (Location, Award); nothing else of the listing is kept."""
    with upstream.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"Location", "Award"} - set(reader.fieldnames or [])
        if missing:
            raise SystemExit(f"{upstream}: no column(s) {sorted(missing)}")
        counts = Counter((row["Location"].strip(), row["Award"].strip()) for row in reader)
    unknown = sorted({award for _, award in counts} - set(AWARDS))
    if unknown:
        raise SystemExit(f"{upstream}: unknown Award value(s) {unknown}")
    with export.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["Location", "Award", "restaurants"])
        for (location, award), n in sorted(
            counts.items(), key=lambda item: (item[0][0], AWARDS.index(item[0][1]))
        ):
            writer.writerow([location, award, n])


def read_export(export: Path) -> dict[str, Counter]:
    awards: dict[str, Counter] = {}
    with export.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Award"] not in AWARDS:
                raise SystemExit(f"{export}: unknown Award {row['Award']!r}")
            awards.setdefault(row["Location"], Counter())[row["Award"]] += int(row["restaurants"])
    return awards


def city_and_country(location: str) -> tuple[str, str]:
    """("Tokyo", "JPN") for "Tokyo, Japan"; ("Dubai", "ARE") for the bare "Dubai"."""
    if ", " in location:
        city, country = location.rsplit(", ", 1)
        if country not in COUNTRY_ISO3:
            raise SystemExit(f"guide country {country!r} (Location {location!r}) is not mapped")
        return city, COUNTRY_ISO3[country]
    if location not in BARE_ISO3:
        raise SystemExit(f"bare guide Location {location!r} is not mapped to a country")
    return location, BARE_ISO3[location]


def read_seed() -> list[dict[str, str]]:
    with SEED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def rows(awards: dict[str, Counter]) -> list[dict[str, object]]:
    by_city: dict[tuple[str, str], list[str]] = {}
    for location in sorted(awards):
        by_city.setdefault(city_and_country(location), []).append(location)
    out = []
    for city in read_seed():
        locations = by_city.get((city["city_name"], city["country_iso3"]))
        if not locations:  # no guide covers the city: no figure, not a zero
            continue
        total = sum((awards[location] for location in locations), Counter())
        starred = sum(total[award] for award in STARS)
        spelled = " + ".join(f"'{location}'" for location in locations)
        out.append(
            {
                "indicator_id": "michelin_starred_restaurants",
                "geo_id": city["city_id"],
                "geo_level": "city",
                "period": 2023,
                "value": starred,
                "unit": "count",
                "approximate": "false",
                "publisher": "MICHELIN Guide",
                "publication": "MICHELIN Guide restaurant selection (as live in August 2023)",
                "source_url": "https://guide.michelin.com/en/restaurants",
                "as_of": "2023-08",
                "note": f"guide Location {spelled}: {total['3 MICHELIN Stars']} three-star, "
                f"{total['2 MICHELIN Stars']} two-star, {total['1 MICHELIN Star']} one-star "
                f"({total['Bib Gourmand']} Bib Gourmand not counted); counted from the {UPSTREAM} "
                "crawl",
            }
        )
    return out


def build_into(outdir: Path, upstream: Path | None = None) -> str:
    export = source_export(HERE, outdir, EXPORT_NAME, upstream, derive_export)
    table = rows(read_export(export))
    write_publication(outdir, "michelin", OUTPUT, table, RETRIEVED_AT)
    return ", ".join(f"{row['geo_id']} {row['value']}" for row in table)


if __name__ == "__main__":
    run(__doc__, HERE, build_into, upstream="the crawl's michelin_my_maps.csv")
