"""Rebuild this snapshot from the real Comtrade extract in ../shared/data (run from the repo root).

The extract (comtrade/china_bilateral_SITC4_2digit_2010-2018.csv, legacy Comtrade CSV download)
holds China's trade by SITC Rev.4 2-digit division with Hong Kong, the US, Japan, Korea and
France, 2010-2018, and no all-commodity TOTAL rows. This script SUMS the 2-digit divisions per
(year, partner, flow) and lays each sum out as an API v1 record with cmdCode TOTAL, so the same
parse code reads snapshot and live responses. The sums are not Comtrade's published totals:
see README.md.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
EXTRACT = "comtrade/china_bilateral_SITC4_2digit_2010-2018.csv"
PARTNERS = {"344": "HKG", "842": "USA", "392": "JPN", "410": "KOR", "251": "FRA"}
FLOWS = {"2": ("X", "Export"), "1": ("M", "Import")}
URL = (
    "https://comtradeapi.un.org/public/v1/preview/C/A/HS?reporterCode=156"
    "&partnerCode=344,702,392,410,826,251,842,784&partner2Code=0"
    "&period=2010,2011,2012,2013,2014,2015,2016,2017,2018,2019,2020,2021,2022,2023,2024"
    "&flowCode=X,M&cmdCode=TOTAL&customsCode=C00&motCode=0&includeDesc=true"
)


def main() -> None:
    totals: dict[tuple[int, str, str], int] = defaultdict(int)
    names: dict[str, str] = {}
    seen: set[tuple] = set()
    with (SHARED / EXTRACT).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert row["Reporter Code"] == "156" and row["Aggregate Level"] == "2", row
            if row["Partner Code"] not in PARTNERS or row["Trade Flow Code"] not in FLOWS:
                continue
            key = (int(row["Year"]), row["Partner Code"], row["Trade Flow Code"])
            division = (*key, row["Commodity Code"])
            assert division not in seen, f"duplicate division row {division}"
            seen.add(division)
            totals[key] += int(row["Trade Value (US$)"])
            names[row["Partner Code"]] = row["Partner"]
    records = []
    for (year, partner, flow), value in sorted(totals.items()):
        flow_code, flow_desc = FLOWS[flow]
        records.append(
            {
                "typeCode": "C",
                "freqCode": "A",
                "refPeriodId": int(f"{year}0101"),
                "refYear": year,
                "refMonth": 52,
                "period": str(year),
                "reporterCode": 156,
                "reporterISO": "CHN",
                "reporterDesc": "China",
                "flowCode": flow_code,
                "flowDesc": flow_desc,
                "partnerCode": int(partner),
                "partnerISO": PARTNERS[partner],
                "partnerDesc": names[partner],
                "partner2Code": 0,
                "classificationCode": "S4",
                "cmdCode": "TOTAL",
                "customsCode": "C00",
                "motCode": 0,
                "netWgt": None,
                "fobvalue": value if flow_code == "X" else None,
                "cifvalue": value if flow_code == "M" else None,
                "primaryValue": value,
                "isReported": False,
                "isAggregate": True,
                "legacyEstimationFlag": 0,
            }
        )
    body = {"elapsedTime": "0 secs", "count": len(records), "data": records, "error": ""}
    (HERE / "preview_C_A_HS.json").write_text(json.dumps(body) + "\n", encoding="utf-8")
    manifest = {
        "retrieved_at": "2020-10-03T00:00:00+00:00",
        "parts": [{"file": "preview_C_A_HS.json", "url": URL}],
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
