"""Rebuild this snapshot from the extract in ../shared/data (run from the repo root).

The extract keeps, verbatim, the rows of the scrape's `sister_cities.csv` that name a target city
(with their row index in the source). This script writes them back in the source file's own
layout (unnamed pandas index column, country, city, sister), once each, in source order.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
EXTRACT = "sister_cities/sistercity_info_scrape_selected_cities.csv"
URL = (
    "https://raw.githubusercontent.com/pnadelofficial/sis-cities/"
    "7143b569c2adc2eaaf5b09ee111dfccd64606b1c/sister_cities.csv"
)


def main() -> None:
    rows: dict[int, tuple[str, str, str]] = {}
    with (SHARED / EXTRACT).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[int(row["row_index_in_source"])] = (row["country"], row["city"], row["sister"])
    with (HERE / "sister_cities.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["", "country", "city", "sister"])
        for index in sorted(rows):
            writer.writerow([index, *rows[index]])
    manifest = {
        "retrieved_at": "2025-06-30T00:00:00+00:00",
        "parts": [{"file": "sister_cities.csv", "url": URL}],
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
