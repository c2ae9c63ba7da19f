"""Lay China's trade with each city's economy out as Comtrade API v1 records (see README.md).

    python sources/snapshots/comtrade/build.py [OUTDIR]                      # the default build
    python sources/snapshots/comtrade/build.py [OUTDIR] --upstream DIR       # from the originals

`source_export/china_sitc2_excerpt.csv` is the excerpt of the legacy Comtrade CSV downloads this
script reads: China's trade by SITC Rev.4 2-digit division with Hong Kong, the US, Japan, Korea
and France, 2010-2018, exports and imports; only the columns used here, values and row order as
in the downloads. `--upstream DIR` derives it from the four downloads in DIR (UPSTREAM_FILES, as
named in github.com/shjain6670/IBE-Project---China@ef049da), writing it to
OUTDIR/source_export/; the default build reads the shipped one.

The downloads have no all-commodity TOTAL rows, so this script SUMS the 2-digit divisions per
(year, partner, flow) and lays each sum out as an API v1 record with cmdCode TOTAL, so the same
parse code reads snapshot and live responses. The sums are not Comtrade's published totals: see
README.md. Stdlib only.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # build_cli, beside
from build_cli import run, source_export  # noqa: E402

EXPORT_NAME = "china_sitc2_excerpt.csv"
UPSTREAM_FILES = ["comtrade.csv", "comtrade (1).csv", "comtrade (2).csv", "comtrade (3).csv"]
COLUMNS = [
    "Classification",
    "Year",
    "Aggregate Level",
    "Trade Flow Code",
    "Reporter Code",
    "Partner Code",
    "Partner",
    "Commodity Code",
    "Trade Value (US$)",
]
PARTNERS = {"344": "HKG", "842": "USA", "392": "JPN", "410": "KOR", "251": "FRA"}
FLOWS = {"2": ("X", "Export"), "1": ("M", "Import")}
URL = (
    "https://comtradeapi.un.org/public/v1/preview/C/A/HS?reporterCode=156"
    "&partnerCode=344,702,392,410,826,251,842,784&partner2Code=0"
    "&period=2010,2011,2012,2013,2014,2015,2016,2017,2018,2019,2020,2021,2022,2023,2024"
    "&flowCode=X,M&cmdCode=TOTAL&customsCode=C00&motCode=0&includeDesc=true"
)


def wanted(row: dict[str, str]) -> bool:
    """China's exports and imports with one of PARTNERS."""
    return (
        row["Reporter Code"] == "156"
        and row["Partner Code"] in PARTNERS
        and row["Trade Flow Code"] in FLOWS
    )


def derive_export(upstream: Path, export: Path) -> None:
    """Keep the wanted rows of the downloads, in file and row order, and the COLUMNS only."""
    with export.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for name in UPSTREAM_FILES:
            with (upstream / name).open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    if wanted(row):
                        writer.writerow([row[column] for column in COLUMNS])


def sums(export: Path) -> tuple[dict[tuple[int, str, str], int], dict[str, str]]:
    """(year, partner, flow) -> the sum of its 2-digit divisions; partner code -> name."""
    totals: dict[tuple[int, str, str], int] = defaultdict(int)
    names: dict[str, str] = {}
    seen: set[tuple] = set()
    with export.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert row["Classification"] == "S4" and row["Aggregate Level"] == "2", row
            if not wanted(row):
                continue
            key = (int(row["Year"]), row["Partner Code"], row["Trade Flow Code"])
            division = (*key, row["Commodity Code"])
            assert division not in seen, f"duplicate division row {division}"
            seen.add(division)
            totals[key] += int(row["Trade Value (US$)"])
            names[row["Partner Code"]] = row["Partner"]
    return totals, names


def build_into(outdir: Path, upstream: Path | None = None) -> str:
    outdir.mkdir(parents=True, exist_ok=True)
    totals, names = sums(source_export(HERE, outdir, EXPORT_NAME, upstream, derive_export))
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
    (outdir / "preview_C_A_HS.json").write_text(json.dumps(body) + "\n", encoding="utf-8")
    manifest = {
        "retrieved_at": "2020-10-03T00:00:00+00:00",
        "parts": [{"file": "preview_C_A_HS.json", "url": URL}],
    }
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return f"{len(records)} records (year x partner x flow)"


if __name__ == "__main__":
    run(__doc__, HERE, build_into, upstream="the folder of the four legacy Comtrade downloads")
