"""Build `gdci_visitors.csv` + `manifest.json` from the Mastercard GDCI extract (see README.md).

Run from anywhere: `python sources/snapshots/gdci/build.py [OUTDIR]` (OUTDIR defaults to this
folder). Stdlib only. Input, in `source_export/` (UTF-8 with a byte-order mark, CRLF lines):
`GDCI_tourists.csv` (City,Year,Overnight_International_Visitors_in_Millions),
`GDCI_expenses.csv` (City,Year,Overnight_International_Visitor_Spend_in_USD_Billions) and
`GDCI_city_country.csv` (City,Country); and the city seed `dbt_project/seeds/cities.csv`.

Each seed city is matched on its country (COUNTRY: ISO3 -> the extract's country, covering every
country the extract has) and its name (the seed's `city_name`, or ALIASES where Mastercard spells
it otherwise), so a city added to the seed is picked up when the extract has it. Visitors are in
millions (x 1e6 -> persons), spending in USD billions (x 1e9 -> USD), rounded to the unit.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # curated_build, build_cli
from build_cli import run  # noqa: E402
from curated_build import SEED, write_publication  # noqa: E402

EXPORT = HERE / "source_export"

SOURCE_ID = "gdci"
FILE = "gdci_visitors.csv"
RETRIEVED_AT = "2019-11-20T00:00:00+00:00"  # date of the upstream repository's copy (commit)

# indicator -> (file, value column, multiplier, unit, what)
INDICATORS = {
    "intl_overnight_visitors": (
        "GDCI_tourists.csv",
        "Overnight_International_Visitors_in_Millions",
        10**6,
        "persons",
        "international overnight visitors, millions x 1e6",
    ),
    "intl_visitor_spending": (
        "GDCI_expenses.csv",
        "Overnight_International_Visitor_Spend_in_USD_Billions",
        10**9,
        "USD current",
        "international overnight visitor spending, USD billions x 1e9",
    ),
}
PUBLISHER = "Mastercard"
# The report the upstream compilers cite (the index's last edition, data year 2018).
SOURCE_URL = (
    "https://newsroom.mastercard.com/wp-content/uploads/2019/09/GDCI-Global-Report-FINAL-1.pdf"
)
CAVEATS = {  # (indicator, city_id, year) -> caveat appended to the row's note
    ("intl_visitor_spending", "dubai", 2011): (
        "doubtful: a third of the 2012 figure (23.85); the upstream compilers also flag 2011 "
        "spending as possibly incomplete"
    ),
}

# Seed ISO3 -> the extract's Country. Lists every country in GDCI_city_country.csv (checked), so
# a seed country missing here has no city in the extract.
COUNTRY = {
    "ARE": "United Arab Emirates",
    "AUS": "Australia",
    "AUT": "Austria",
    "CHN": "China",
    "CZE": "Czechia",
    "DEU": "Germany",
    "ESP": "Spain",
    "FRA": "France",
    "GBR": "United Kingdom",
    "HKG": "Hong Kong",
    "IDN": "Indonesia",
    "ITA": "Italy",
    "JPN": "Japan",
    "KOR": "South Korea",
    "MYS": "Malaysia",
    "NLD": "Netherlands",
    "SAU": "Saudi Arabia",
    "SGP": "Singapore",
    "THA": "Thailand",
    "TUR": "Turkey",
    "TWN": "Taiwan",
    "USA": "United States",
}
ALIASES: dict[tuple[str, str], str] = {}  # (ISO3, seed city_name) -> the extract's City


def read(name: str) -> list[dict]:
    with (EXPORT / name).open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def read_seed() -> list[dict]:
    with SEED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def city_names() -> dict[str, str]:
    """Seed city_id -> the extract's City, for the seed cities the extract has."""
    country_of = {row["City"]: row["Country"] for row in read("GDCI_city_country.csv")}
    unknown = sorted(set(country_of.values()) - set(COUNTRY.values()))
    if unknown:
        sys.exit(f"countries of the extract missing from COUNTRY: {', '.join(unknown)}")
    matched = {}
    for city in read_seed():
        iso3 = city["country_iso3"]
        name = ALIASES.get((iso3, city["city_name"]), city["city_name"])
        if iso3 in COUNTRY and country_of.get(name) == COUNTRY[iso3]:
            matched[city["city_id"]] = name
    return matched


def scaled(text: str, multiplier: int) -> int:
    value = round(float(text) * multiplier)
    assert value > 0, f"non-positive figure {text!r}"
    return value


def build() -> tuple[list[list[str]], list[str]]:
    seed = [city["city_id"] for city in read_seed()]
    names = city_names()
    rows = []
    for city_id in seed:
        if city_id not in names:
            continue
        for indicator, (file, column, multiplier, unit, what) in INDICATORS.items():
            figures = {}
            for row in read(file):
                if row["City"] == names[city_id]:
                    year = int(row["Year"])
                    assert year not in figures, f"{file}: {names[city_id]} {year} twice"
                    figures[year] = row[column]
            for year in sorted(figures):
                note = (
                    f"{what}; data year {year}, published in the GDCI {year + 1} report (the "
                    "index reports a year's figures in the next year's edition); the extract "
                    "lists 20 cities per year, so a year missing here is outside that list, "
                    "not a zero"
                )
                if (indicator, city_id, year) in CAVEATS:
                    note += f"; {CAVEATS[indicator, city_id, year]}"
                rows.append(
                    [
                        indicator,
                        city_id,
                        "city",
                        str(year),
                        str(scaled(figures[year], multiplier)),
                        unit,
                        "false",
                        PUBLISHER,
                        f"Mastercard Global Destination Cities Index {year + 1}",
                        SOURCE_URL,
                        str(year + 1),
                        note,
                    ]
                )
    return rows, [city_id for city_id in seed if city_id not in names]


def build_into(outdir: Path) -> str:
    rows, missing = build()
    write_publication(outdir, SOURCE_ID, FILE, rows, RETRIEVED_AT)
    return f"{len(rows)} rows; seed cities not in the GDCI extract: {', '.join(missing) or 'none'}"


if __name__ == "__main__":
    run(__doc__, HERE, build_into)
