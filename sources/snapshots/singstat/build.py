"""Rebuild this snapshot from `source_export/raw_singstat.csv`.

    python sources/snapshots/singstat/build.py [OUTDIR]

The export is a real CSV of SingStat table M550001 (see README.md for where it comes from):
`_id,DataSeries,2026Jan,2025Dec,...,2008Jan`, one row per series, the indentation of
`DataSeries` showing the hierarchy. This script only lays it out as the Table Builder API
returns `GET /table/tabledata/M550001?offset=..&limit=..`: `Data.row[]` with `seriesNo`,
`rowText` and `columns[]` of `{"key": "%Y %b", "value": "<string>"}`, newest month first, in
pages of PAGE_SIZE series with the offset/limit query strings the live client sends. No value
is changed; a cell the export leaves empty (or marks "na"/"-") gets no column, so a month
missing there stays missing here. Stdlib only.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # build_cli, beside
from build_cli import run  # noqa: E402

EXPORT = HERE / "source_export" / "raw_singstat.csv"
TABLE = "M550001"
PAGE_SIZE = 100  # series per page; the same as sources/singstat.py PAGE_SIZE
BASE = "https://tablebuilder.singstat.gov.sg/api"
# Layout metadata, not data: the table title as the Table Builder lists it
# (reference/source-apis.md §6) and its unit label for counts.
TITLE = "International Visitor Arrivals By Inbound Tourism Markets, Monthly"
UNIT = "Number"
RETRIEVED_AT = "2026-11-25T00:00:00+00:00"  # no commit date for the export was available
MISSING = {"", "na", "-"}


def month(header: str) -> datetime:
    return datetime.strptime(header.strip(), "%Y%b")


def read_export() -> tuple[list[str], list[list[str]]]:
    with EXPORT.open(newline="", encoding="utf-8") as handle:
        header, *rows = csv.reader(handle)
    assert header[:2] == ["_id", "DataSeries"], f"unexpected export header {header[:2]}"
    months = [month(h) for h in header[2:]]
    assert len(set(months)) == len(months), "duplicate month column in the export"
    for row in rows:
        assert len(row) == len(header), f"series {row[:2]} has {len(row)} cells"
    return header, rows


def table_row(header: list[str], row: list[str]) -> dict:
    cells = sorted(
        ((month(h), value) for h, value in zip(header[2:], row[2:], strict=True)),
        key=lambda cell: cell[0],
        reverse=True,
    )
    return {
        "seriesNo": row[0],
        "rowText": row[1],
        "uoM": UNIT,
        "columns": [
            {"key": when.strftime("%Y %b"), "value": value.strip()}
            for when, value in cells
            if value.strip().lower() not in MISSING
        ],
    }


def build_into(outdir: Path) -> str:
    outdir.mkdir(parents=True, exist_ok=True)
    header, rows = read_export()
    series = [table_row(header, row) for row in rows]
    manifest: dict = {"retrieved_at": RETRIEVED_AT, "parts": []}
    offset = 0
    while True:  # the live client stops at the first page shorter than PAGE_SIZE
        page = series[offset : offset + PAGE_SIZE]
        body = {
            "Data": {"id": TABLE, "title": TITLE, "row": page},
            "DataCount": len(page),
            "StatusCode": 200,
            "Message": "",
        }
        file = f"{TABLE}.json" if offset == 0 else f"{TABLE}_offset{offset}.json"
        (outdir / file).write_text(json.dumps(body, ensure_ascii=False) + "\n", encoding="utf-8")
        url = f"{BASE}/table/tabledata/{TABLE}?offset={offset}&limit={PAGE_SIZE}"
        manifest["parts"].append({"file": file, "url": url})
        if len(page) < PAGE_SIZE:
            break
        offset += PAGE_SIZE
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    cells = sum(len(s["columns"]) for s in series)
    return f"{len(series)} series, {cells} monthly values, {len(manifest['parts'])} page(s)"


if __name__ == "__main__":
    run(__doc__, HERE, build_into)
