"""Build `qs_student_city_score.csv` + `manifest.json` from QS Best Student Cities 2024.

Run from anywhere: `python sources/snapshots/qs_student_cities/build.py [OUTDIR]` (OUTDIR
defaults to this folder). Stdlib only. Input: `source_export/qs_best_student_cities_2024.csv`
(`Rank,City,Country,Score`, one row per ranked city, names with underscores for spaces, e.g.
`New_York,United_States`; ranks 151-160 given as a band) and the city seed
`dbt_project/seeds/cities.csv`. See README.md.

Each seed city is matched on its country (COUNTRY: ISO3 -> QS's country, covering every country
the table has) and its name (the seed's `city_name`, or ALIASES where QS spells it otherwise, as
"Hong_Kong_SAR"), so a city added to the seed is picked up when QS ranks it. The value is the
overall score (0-100) as QS prints it; the rank goes in the note.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # curated_build, build_cli
from build_cli import run  # noqa: E402
from curated_build import SEED, write_publication  # noqa: E402

EXPORT = HERE / "source_export" / "qs_best_student_cities_2024.csv"

SOURCE_ID = "qs_student_cities"
FILE = "qs_student_city_score.csv"
RETRIEVED_AT = "2024-04-28T00:00:00+00:00"  # date of the upstream repository's copy (commit)
EDITION = 2024

INDICATOR, UNIT = "qs_student_city_score", "score"
PUBLISHER = "QS Quacquarelli Symonds"
PUBLICATION = f"QS Best Student Cities {EDITION}"
SOURCE_URL = f"https://www.topuniversities.com/city-rankings/{EDITION}"
AS_OF = "2023-07"  # the 2024 edition was released on 19 July 2023
HEADER = ["Rank", "City", "Country", "Score"]

# Seed ISO3 -> QS's Country. Lists every country in the table (checked), so a seed country
# missing here has no ranked city.
COUNTRY = {
    "ARE": "United_Arab_Emirates",
    "ARG": "Argentina",
    "AUS": "Australia",
    "AUT": "Austria",
    "BEL": "Belgium",
    "BGD": "Bangladesh",
    "BRA": "Brazil",
    "CAN": "Canada",
    "CHE": "Switzerland",
    "CHL": "Chile",
    "CHN": "China_Mainland",
    "COL": "Colombia",
    "CRI": "Costa_Rica",
    "CZE": "Czech_Republic",
    "DEU": "Germany",
    "ECU": "Ecuador",
    "EGY": "Egypt",
    "ESP": "Spain",
    "EST": "Estonia",
    "FIN": "Finland",
    "FRA": "France",
    "GBR": "United_Kingdom",
    "GRC": "Greece",
    "HKG": "Hong_Kong_SAR",
    "HUN": "Hungary",
    "IDN": "Indonesia",
    "IND": "India",
    "IRL": "Ireland",
    "ITA": "Italy",
    "JOR": "Jordan",
    "JPN": "Japan",
    "KAZ": "Kazakhstan",
    "KOR": "South_Korea",
    "LBN": "Lebanon",
    "LTU": "Lithuania",
    "LVA": "Latvia",
    "MAC": "Macau_SAR",
    "MEX": "Mexico",
    "MYS": "Malaysia",
    "NLD": "Netherlands",
    "NOR": "Norway",
    "NZL": "New_Zealand",
    "PAN": "Panama",
    "PER": "Peru",
    "PHL": "Philippines",
    "POL": "Poland",
    "PRT": "Portugal",
    "QAT": "Qatar",
    "ROU": "Romania",
    "SAU": "Saudi_Arabia",
    "SGP": "Singapore",
    "SVK": "Slovakia",
    "SWE": "Sweden",
    "THA": "Thailand",
    "TWN": "Taiwan",
    "USA": "United_States",
    "ZAF": "South_Africa",
}
ALIASES = {  # (ISO3, seed city_name) -> QS's City
    ("HKG", "Hong Kong"): "Hong_Kong_SAR",
}


def norm(name: str) -> str:
    return " ".join(name.replace("_", " ").casefold().split())


def read_seed() -> list[dict]:
    with SEED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_export() -> list[dict]:
    with EXPORT.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == HEADER, f"unexpected header {reader.fieldnames}"
        table = list(reader)
    unknown = sorted({row["Country"] for row in table} - set(COUNTRY.values()))
    if unknown:
        sys.exit(f"countries of the table missing from COUNTRY: {', '.join(unknown)}")
    return table


def build() -> tuple[list[list[str]], list[str]]:
    table = read_export()
    rows, missing = [], []
    for city in read_seed():
        iso3 = city["country_iso3"]
        wanted = norm(ALIASES.get((iso3, city["city_name"]), city["city_name"]))
        found = [
            row
            for row in table
            if iso3 in COUNTRY and row["Country"] == COUNTRY[iso3] and norm(row["City"]) == wanted
        ]
        if not found:
            missing.append(city["city_id"])
            continue
        assert len(found) == 1, f"{city['city_id']}: {len(found)} QS rows match"
        row = found[0]
        score = float(row["Score"])
        assert 0 <= score <= 100, f"{row['City']}: score {score} outside 0-100"
        note = (
            f'QS rank {row["Rank"]} of {len(table)} as "{row["City"]}" ({row["Country"]}); '
            "overall score as published"
        )
        rows.append(
            [
                INDICATOR,
                city["city_id"],
                "city",
                str(EDITION),
                row["Score"].strip(),
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
    return f"{len(rows)} rows; seed cities not ranked by QS: {', '.join(missing) or 'none'}"


if __name__ == "__main__":
    run(__doc__, HERE, build_into)
