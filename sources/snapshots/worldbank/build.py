"""Lay the WDI files in `source_export/` out as the World Bank API v2 returns them.

    python sources/snapshots/worldbank/build.py [OUTDIR]

The values are the World Bank's own, read from unmodified WDI files (see README.md for each
file's origin and vintage): the bulk-download CSVs `API_<series>_DS2_*.csv` (wide: four lines of
metadata, then `Country Name,Country Code,Indicator Name,Indicator Code,1960,...`) and datahub's
`indicators/<series>/data.csv` (long: `Country Name,Country Code,Year,Value`). This script only
lays them out as the API v2 would return them (one page per series, newest year first, `null`
where the World Bank has no value), so the same parse code reads snapshot and live responses.
Stdlib only.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # build_cli, beside
from build_cli import run  # noqa: E402

EXPORT = HERE / "source_export"
FILES = {
    "ST.INT.ARVL": "API_ST.INT.ARVL_DS2_EN_csv_v2_21669.csv",
    "ST.INT.RCPT.CD": "API_ST.INT.RCPT.CD_DS2_EN_csv_v2_38807.csv",
    "NE.EXP.GNFS.CD": "API_NE.EXP.GNFS.CD_DS2_en_csv_v2_3025.csv",
    "NE.IMP.GNFS.CD": "API_NE.IMP.GNFS.CD_DS2_en_csv_v2_2474.csv",
    "IS.AIR.PSGR": "API_IS.AIR.PSGR_DS2_en_csv_v2_1993658.csv",
    "BX.KLT.DINV.CD.WD": "indicators/bx.klt.dinv.cd.wd/data.csv",
    "CM.MKT.LCAP.CD": "indicators/cm.mkt.lcap.cd/data.csv",
    "CM.MKT.LDOM.NO": "indicators/cm.mkt.ldom.no/data.csv",
    "SP.POP.TOTL": "indicators/sp.pop.totl/data.csv",
}
NAMES = {
    "ST.INT.ARVL": "International tourism, number of arrivals",
    "ST.INT.RCPT.CD": "International tourism, receipts (current US$)",
    "NE.EXP.GNFS.CD": "Exports of goods and services (current US$)",
    "NE.IMP.GNFS.CD": "Imports of goods and services (current US$)",
    "BX.KLT.DINV.CD.WD": "Foreign direct investment, net inflows (BoP, current US$)",
    "CM.MKT.LCAP.CD": "Market capitalization of listed domestic companies (current US$)",
    "CM.MKT.LDOM.NO": "Listed domestic companies, total",
    "IS.AIR.PSGR": "Air transport, passengers carried",
    "SP.POP.TOTL": "Population, total",
}
COUNTRIES = {
    "HKG": "HK",
    "SGP": "SG",
    "JPN": "JP",
    "KOR": "KR",
    "CHN": "CN",
    "GBR": "GB",
    "FRA": "FR",
    "USA": "US",
    "ARE": "AE",
}
YEARS = range(2025, 2009, -1)
BASE = "https://api.worldbank.org/v2"


def number(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def read_series(series: str) -> tuple[dict[tuple[str, int], float | int], dict[str, str]]:
    """(ISO3, year) -> value for COUNTRIES, from either layout, and ISO3 -> country name for
    the countries with a value (a country without one is named by its code, as shipped)."""
    values, names = {}, {}
    with (EXPORT / FILES[series]).open(newline="", encoding="utf-8-sig") as handle:
        rows = csv.reader(handle)
        header = next(row for row in rows if row and row[0] == "Country Name")
        for row in rows:
            record = dict(zip(header, row, strict=False))
            iso3 = record.get("Country Code")
            if iso3 not in COUNTRIES:
                continue
            if "Indicator Code" in record:  # wide: one column per year
                assert record["Indicator Code"] == series, f"{FILES[series]}: {record}"
                cells = {int(year): record.get(str(year), "") for year in YEARS}
            else:  # long: one row per year
                cells = {int(record["Year"]): record["Value"]}
            for year, text in cells.items():
                if year in YEARS and text != "":
                    values[(iso3, year)] = number(text)
                    names[iso3] = record["Country Name"]
    return values, names


def build_into(outdir: Path) -> str:
    outdir.mkdir(parents=True, exist_ok=True)
    manifest = {"retrieved_at": "2026-07-01T00:00:00+00:00", "parts": []}
    for series in FILES:
        values, names = read_series(series)
        records = [
            {
                "indicator": {"id": series, "value": NAMES[series]},
                "country": {"id": COUNTRIES[iso3], "value": names.get(iso3, iso3)},
                "countryiso3code": iso3,
                "date": str(year),
                "value": values.get((iso3, year)),
                "unit": "",
                "obs_status": "",
                "decimal": 0,
            }
            for iso3 in COUNTRIES
            for year in YEARS
        ]
        meta = {
            "page": 1,
            "pages": 1,
            "per_page": 1000,
            "total": len(records),
            "sourceid": "2",
            "lastupdated": "2026-07-01",
        }
        file = f"{series}.json"
        (outdir / file).write_text(json.dumps([meta, records]) + "\n", encoding="utf-8")
        url = (
            f"{BASE}/country/{';'.join(COUNTRIES)}/indicator/{series}"
            "?format=json&date=2010:2025&per_page=1000&page=1"
        )
        manifest["parts"].append({"file": file, "url": url})
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return f"{len(FILES)} series"


if __name__ == "__main__":
    run(__doc__, HERE, build_into)
