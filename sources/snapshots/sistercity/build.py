"""Rebuild `sister_cities.csv` from the excerpt of the sistercity.info scrape (see README.md).

    python sources/snapshots/sistercity/build.py [OUTDIR]                        # the default
    python sources/snapshots/sistercity/build.py [OUTDIR] --upstream PATH/sister_cities.csv

`source_export/sistercity_info_scrape_selected_cities.csv` keeps, verbatim, the rows of the
scrape's `sister_cities.csv` whose `city` or `sister` is one of TARGETS (by exact name), with
their row index in the source, how they matched and the target (`row_index_in_source, country,
city, sister, matched_on, target_city`; a row naming two targets, or a target on both sides,
appears once per match). `--upstream` derives it from the scrape's file, writing it to
OUTDIR/source_export/; the default build reads the shipped one. This script writes the rows back
in the source file's own layout (unnamed pandas index column, country, city, sister), once
each, in source order. Stdlib only.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # build_cli, beside
from build_cli import run, source_export  # noqa: E402

EXPORT_NAME = "sistercity_info_scrape_selected_cities.csv"
TARGETS = [
    "Hong Kong",
    "Singapore",
    "Tokyo",
    "Seoul",
    "Shanghai",
    "London",
    "Paris",
    "New York City",
    "Dubai",
    "Rotterdam",
    "Doha",
    "Karachi",
    "Islamabad",
]
URL = (
    "https://raw.githubusercontent.com/pnadelofficial/sis-cities/"
    "7143b569c2adc2eaaf5b09ee111dfccd64606b1c/sister_cities.csv"
)


def derive_export(upstream: Path, export: Path) -> None:
    """Keep the source rows naming a target, once per (side, target) they match."""
    with upstream.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        assert next(reader) == ["", "country", "city", "sister"], f"{upstream}: unexpected header"
        rows = list(reader)
    with export.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)  # CRLF line ends (csv's default), as in the shipped excerpt
        writer.writerow(
            ["row_index_in_source", "country", "city", "sister", "matched_on", "target_city"]
        )
        for index, country, city, sister in rows:
            for side, name in (("city", city), ("sister", sister)):
                if name in TARGETS:
                    writer.writerow([index, country, city, sister, side, name])


def build_into(outdir: Path, upstream: Path | None = None) -> str:
    rows: dict[int, tuple[str, str, str]] = {}
    export = source_export(HERE, outdir, EXPORT_NAME, upstream, derive_export)
    with export.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[int(row["row_index_in_source"])] = (row["country"], row["city"], row["sister"])
    outdir.mkdir(parents=True, exist_ok=True)
    with (outdir / "sister_cities.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["", "country", "city", "sister"])
        for index in sorted(rows):
            writer.writerow([index, *rows[index]])
    manifest = {
        "retrieved_at": "2025-06-30T00:00:00+00:00",
        "parts": [{"file": "sister_cities.csv", "url": URL}],
    }
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return f"{len(rows)} rows"


if __name__ == "__main__":
    run(__doc__, HERE, build_into, upstream="the scrape's sister_cities.csv")
