"""Build `gawc_connectivity.csv` + `manifest.json` from GaWC Data Set 31 (see README.md).

Run from anywhere: `python sources/snapshots/gawc/build.py [OUTDIR]` (OUTDIR defaults to this
folder). Stdlib only. Input: `source_export/da31_gnc2020.Results.csv` (the `Results` sheet of
GaWC's GNC 2020 workbook as CSV: `Rank,City,Country,GNC_abs,GNC_rel(%)`, 707 cities) and the
city seed `dbt_project/seeds/cities.csv`.

Each seed city is matched on its country (COUNTRY: ISO3 -> GaWC's country) and its name (the
seed's `city_name`, or ALIASES where GaWC spells it otherwise); GaWC's "New York (New York)" and
"Los Angeles(California)" carry their US state in brackets and "Mumbai/Bombay" two names, and
each of these forms matches. A city added to the seed is picked up when GaWC has it. The value is
GNC_rel(%), the connectivity as a percentage of London's, rounded to 2 decimals.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # curated_build, build_cli
from build_cli import run  # noqa: E402
from curated_build import SEED, write_publication  # noqa: E402

EXPORT = HERE / "source_export" / "da31_gnc2020.Results.csv"

SOURCE_ID = "gawc"
FILE = "gawc_connectivity.csv"
RETRIEVED_AT = "2025-11-17T00:00:00+00:00"  # date of the upstream repository's copy (commit)
PERIOD = 2020

INDICATOR, UNIT = "gawc_connectivity", "index"
PUBLISHER = "GaWC, Loughborough University"
PUBLICATION = (
    "GaWC Dataset 31: World City Network 2020, Global Network Connectivity ranking "
    "(B. Derudder and P.J. Taylor)"
)
SOURCE_URL = "https://gawc.lboro.ac.uk/gawc-worlds/gawc-data/dataset-31"
AS_OF = "2020"
HEADER = ["Rank", "City", "Country", "GNC_abs", "GNC_rel(%)"]

# Seed ISO3 -> GaWC's Country (GaWC lists Hong Kong, Macao and Taiwan's cities under "China").
# A seed city in a country missing here stops the build.
COUNTRY = {
    "ARE": "UAE",
    "ARG": "Argentina",
    "AUS": "Australia",
    "AUT": "Austria",
    "BEL": "Belgium",
    "BRA": "Brazil",
    "CAN": "Canada",
    "CHE": "Switzerland",
    "CHL": "Chile",
    "CHN": "China",
    "COL": "Colombia",
    "CZE": "Czeck Republic",
    "DEU": "Germany",
    "DNK": "Denmark",
    "EGY": "Egypt",
    "ESP": "Spain",
    "FIN": "Finland",
    "FRA": "France",
    "GBR": "United Kingdom",
    "GRC": "Greece",
    "HKG": "China",
    "HUN": "Hungary",
    "IDN": "Indonesia",
    "IND": "India",
    "IRL": "Ireland",
    "ISR": "Israel",
    "ITA": "Italy",
    "JPN": "Japan",
    "KEN": "Kenya",
    "KOR": "Korea",
    "KWT": "Kuwait",
    "LUX": "Luxembourg",
    "MAC": "China",
    "MEX": "Mexico",
    "MYS": "Malaysia",
    "NGA": "Nigeria",
    "NLD": "Netherlands",
    "NOR": "Norway",
    "NZL": "New Zealand",
    "PER": "Peru",
    "PHL": "Philippines",
    "POL": "Poland",
    "PRT": "Portugal",
    "QAT": "Qatar",
    "RUS": "Russia",
    "SAU": "Saudi Arabia",
    "SGP": "Singapore",
    "SWE": "Sweden",
    "THA": "Thailand",
    "TUR": "Turkey",
    "TWN": "China",
    "USA": "U.S.",
    "VNM": "Vietnam",
    "ZAF": "South Africa",
}
ALIASES: dict[tuple[str, str], str] = {}  # (ISO3, seed city_name) -> a GaWC name form


def norm(name: str) -> str:
    return " ".join(name.casefold().split())


def names(city: str) -> set[str]:
    """The names a GaWC city answers to: "New York (New York)" -> {that, New York};
    "Mumbai/Bombay" -> {that, Mumbai, Bombay}."""
    base = re.sub(r"\s*\([^)]*\)\s*$", "", city)
    return {norm(city), norm(base), *(norm(part) for part in base.split("/"))}


def read_seed() -> list[dict]:
    with SEED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_export() -> list[dict]:
    with EXPORT.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == HEADER, f"unexpected header {reader.fieldnames}"
        return list(reader)


def match(city: dict, table: list[dict]) -> dict | None:
    iso3, name = city["country_iso3"], city["city_name"]
    if iso3 not in COUNTRY:
        sys.exit(
            f"{city['city_id']}: no GaWC spelling for country {iso3}: add it to COUNTRY in "
            f"{Path(__file__).name}"
        )
    wanted = norm(ALIASES.get((iso3, name), name))
    found = [r for r in table if r["Country"] == COUNTRY[iso3] and wanted in names(r["City"])]
    if len(found) > 1:
        sys.exit(f"{city['city_id']}: {len(found)} GaWC cities match; add an alias")
    return found[0] if found else None


def build() -> tuple[list[list[str]], list[str]]:
    table = read_export()
    typos = sorted(set(COUNTRY.values()) - {row["Country"] for row in table})
    assert not typos, f"COUNTRY spellings not in the export: {typos}"
    rows, missing = [], []
    for city in read_seed():
        found = match(city, table)
        if found is None:
            missing.append(city["city_id"])
            continue
        value = round(float(found["GNC_rel(%)"]), 2)
        assert 0 <= value <= 100, f"{found['City']}: GNC_rel {value} outside 0-100"
        note = (
            f'GaWC rank {found["Rank"]} of {len(table)} as "{found["City"]}" '
            f"({found['Country']}); GNC_rel = connectivity as % of London (GNC_abs "
            f"{found['GNC_abs']}), rounded to 2 decimals"
        )
        rows.append(
            [
                INDICATOR,
                city["city_id"],
                "city",
                str(PERIOD),
                f"{value:.2f}",
                UNIT,
                "false",
                PUBLISHER,
                PUBLICATION,
                SOURCE_URL,
                AS_OF,
                note,
            ]
        )
    return rows, missing


def build_into(outdir: Path) -> str:
    rows, missing = build()
    write_publication(outdir, SOURCE_ID, FILE, rows, RETRIEVED_AT)
    return f"{len(rows)} rows; seed cities not in GaWC 2020: {', '.join(missing) or 'none'}"


if __name__ == "__main__":
    run(__doc__, HERE, build_into)
