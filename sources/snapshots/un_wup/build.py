"""Build `city_population.csv` + `manifest.json` from the UN WUP 2018 file F22 (see README.md).

Run from anywhere: `python sources/snapshots/un_wup/build.py [OUTDIR]` (OUTDIR defaults to this
folder). Stdlib only. Input: `source_export/WUP2018-F22-Cities_Over_300K_Annual.Data.csv` (the
`Data` sheet of the UN xlsx as CSV: title rows, then the header row `Index,Country Code,Country
or area,City Code,Urban Agglomeration,Note,Latitude,Longitude,1950,1951.0,...,2035.0`) and its
`NOTES` sheet, and the city seed `dbt_project/seeds/cities.csv`.

Each seed city is matched on its country (COUNTRY: ISO3 -> WUP "Country or area") and its name
(the seed's `city_name`, ALIASES where the UN spells it otherwise, or the name in brackets, as in
"Dubayy (Dubai)"), so a city added to the seed is picked up when WUP has it. Values are in
thousands; they are written in persons (x 1000, rounded to the person).
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

EXPORT = HERE / "source_export"
DATA = EXPORT / "WUP2018-F22-Cities_Over_300K_Annual.Data.csv"
NOTES = EXPORT / "WUP2018-F22-Cities_Over_300K_Annual.NOTES.csv"

SOURCE_ID = "un_wup"
FILE = "city_population.csv"
RETRIEVED_AT = "2024-12-31T00:00:00+00:00"  # date of the upstream repository's copy (commit)
FIRST_YEAR, LAST_YEAR = 2000, 2030
LAST_ESTIMATE = 2018  # the revision's base year: later values are projections

INDICATOR, UNIT, GEO_LEVEL = "city_population", "persons", "metro"
PUBLISHER = "UN DESA, Population Division"
PUBLICATION = (
    "World Urbanization Prospects: The 2018 Revision, File 22 (annual population of urban "
    "agglomerations with 300,000 inhabitants or more in 2018, 1950-2035)"
)
SOURCE_URL = "https://population.un.org/wup/Download/"
AS_OF = "2018-05"  # the 2018 Revision was released on 16 May 2018

# Seed ISO3 -> WUP's "Country or area". A seed city in a country missing here stops the build.
COUNTRY = {
    "ARE": "United Arab Emirates",
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
    "CZE": "Czechia",
    "DEU": "Germany",
    "DNK": "Denmark",
    "EGY": "Egypt",
    "ESP": "Spain",
    "FIN": "Finland",
    "FRA": "France",
    "GBR": "United Kingdom",
    "GRC": "Greece",
    "HKG": "China, Hong Kong SAR",
    "HUN": "Hungary",
    "IDN": "Indonesia",
    "IND": "India",
    "IRL": "Ireland",
    "ISR": "Israel",
    "ITA": "Italy",
    "JPN": "Japan",
    "KEN": "Kenya",
    "KOR": "Republic of Korea",
    "KWT": "Kuwait",
    "MAC": "China, Macao SAR",
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
    "RUS": "Russian Federation",
    "SAU": "Saudi Arabia",
    "SGP": "Singapore",
    "SWE": "Sweden",
    "THA": "Thailand",
    "TUR": "Turkey",
    "TWN": "China, Taiwan Province of China",
    "USA": "United States of America",
    "VNM": "Viet Nam",
    "ZAF": "South Africa",
}
# (seed ISO3, seed city_name) -> WUP "Urban Agglomeration", where neither the name nor the name
# in brackets is the seed's.
ALIASES = {
    ("USA", "New York"): "New York-Newark",
}
HEADER = ["Index", "Country Code", "Country or area", "City Code", "Urban Agglomeration"]
COL = {name: i for i, name in enumerate([*HEADER, "Note"])}


def norm(name: str) -> str:
    return " ".join(name.casefold().split())


def names(agglomeration: str) -> set[str]:
    """The names a WUP agglomeration answers to: "Dubayy (Dubai)" -> {that, Dubayy, Dubai}."""
    out = {norm(agglomeration)}
    bracket = re.fullmatch(r"(.*?)\s*\((.*)\)", agglomeration.strip())
    if bracket:
        out |= {norm(bracket.group(1)), norm(bracket.group(2))}
    return out


def read_seed() -> list[dict]:
    with SEED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_footnotes() -> dict[str, str]:
    with NOTES.open(newline="", encoding="utf-8") as handle:
        lines = [row[0] for row in csv.reader(handle) if row and row[0].strip()]
    assert lines[0] == "Notes", f"unexpected NOTES sheet start {lines[0]!r}"
    notes = {}
    for line in lines[1:]:
        number, text = re.fullmatch(r"\((\d+)\)\s*(.*)", line.strip(), re.S).groups()
        notes[number] = text
    return notes


def read_data() -> tuple[dict[int, int], list[list[str]]]:
    """The year -> column index of the header row, and the rows under it."""
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    start = next(i for i, row in enumerate(rows) if row[:5] == HEADER)
    header = rows[start]
    years = {
        int(float(cell)): i for i, cell in enumerate(header) if re.fullmatch(r"\d{4}(\.0)?", cell)
    }
    assert FIRST_YEAR in years and LAST_YEAR in years, "year columns missing from the header"
    body = [row for row in rows[start + 1 :] if any(cell.strip() for cell in row)]
    for row in body:
        assert len(row) == len(header), f"row {row[:5]} has {len(row)} cells, not {len(header)}"
    return years, body


def match(city: dict, body: list[list[str]]) -> list[str] | None:
    iso3, name = city["country_iso3"], city["city_name"]
    if iso3 not in COUNTRY:
        sys.exit(
            f"{city['city_id']}: no WUP spelling for country {iso3}: add it to COUNTRY in "
            f"{Path(__file__).name}"
        )
    wanted = norm(ALIASES.get((iso3, name), name))
    found = [
        row
        for row in body
        if row[COL["Country or area"]] == COUNTRY[iso3]
        and wanted in names(row[COL["Urban Agglomeration"]])
    ]
    if len(found) > 1:
        sys.exit(f"{city['city_id']}: {len(found)} WUP agglomerations match; add an alias")
    return found[0] if found else None


def persons(thousands: str) -> int:
    value = round(float(thousands) * 1000)
    assert value > 0, f"non-positive population {thousands!r}"
    return value


def build() -> tuple[list[list[str]], list[str]]:
    years, body = read_data()
    typos = sorted(set(COUNTRY.values()) - {row[COL["Country or area"]] for row in body})
    assert not typos, f"COUNTRY spellings not in the export: {typos}"
    footnotes = read_footnotes()
    rows, missing = [], []
    for city in read_seed():
        row = match(city, body)
        if row is None:
            missing.append(city["city_id"])
            continue
        agglomeration = row[COL["Urban Agglomeration"]]
        refs = re.findall(r"\d+", row[COL["Note"]])
        described = "".join(f" UN footnote ({n}): {footnotes[n]}" for n in refs)
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            kind = "UN estimate" if year <= LAST_ESTIMATE else "UN projection (after 2018)"
            note = (
                f'{kind}; urban agglomeration "{agglomeration}" '
                f"({row[COL['Country or area']]}, WUP city code {row[COL['City Code']]}), "
                f"thousands x 1000.{described}"
            )
            rows.append(
                [
                    INDICATOR,
                    city["city_id"],
                    GEO_LEVEL,
                    str(year),
                    str(persons(row[years[year]])),
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
    return f"{len(rows)} rows; seed cities not in WUP F22: {', '.join(missing) or 'none'}"


if __name__ == "__main__":
    run(__doc__, HERE, build_into)
