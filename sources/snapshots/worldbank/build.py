"""Rebuild this snapshot from the real WDI extracts in ../shared/data (run from the repo root).

The values are the World Bank's own (see README.md for each file's vintage and provenance);
this script only lays them out as the API v2 would return them (one page per series,
newest year first, `null` where the World Bank has no value), so the same parse code reads
snapshot and live responses.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
FILES = {
    "ST.INT.ARVL": "wdi_tourism_2025-12/ST.INT.ARVL_selected_tidy_2010on.csv",
    "ST.INT.RCPT.CD": "wdi_tourism_2025-12/ST.INT.RCPT.CD_selected_tidy_2010on.csv",
    "NE.EXP.GNFS.CD": "wdi_trade_air/NE.EXP.GNFS.CD_selected_tidy_2010on.csv",
    "NE.IMP.GNFS.CD": "wdi_trade_air/NE.IMP.GNFS.CD_selected_tidy_2010on.csv",
    "IS.AIR.PSGR": "wdi_trade_air/IS.AIR.PSGR_selected_tidy_2010on.csv",
    "BX.KLT.DINV.CD.WD": "wdi_datahub/wdi_selected_tidy.csv",
    "CM.MKT.LCAP.CD": "wdi_datahub/wdi_selected_tidy.csv",
    "CM.MKT.LDOM.NO": "wdi_datahub/wdi_selected_tidy.csv",
    "SP.POP.TOTL": "wdi_datahub/wdi_selected_tidy.csv",
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


def main() -> None:
    manifest = {"retrieved_at": "2026-07-01T00:00:00+00:00", "parts": []}
    for series, rel in FILES.items():
        values, names = {}, {}
        with (SHARED / rel).open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["indicator"] == series and row["country_code"] in COUNTRIES:
                    values[(row["country_code"], int(row["year"]))] = number(row["value"])
                    names[row["country_code"]] = row["country_name"]
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
        (HERE / file).write_text(json.dumps([meta, records]) + "\n", encoding="utf-8")
        url = (
            f"{BASE}/country/{';'.join(COUNTRIES)}/indicator/{series}"
            "?format=json&date=2010:2025&per_page=1000&page=1"
        )
        manifest["parts"].append({"file": file, "url": url})
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
