"""What every curated publication's build script shares: the curated CSV's columns, where the city
seed is, and how the CSV and its manifest are written (deterministically: `\\n` line ends unless
told, a final newline, a fixed `retrieved_at`, so a rebuild reproduces the shipped files byte
for byte).

Standard library only: the scripts run as `python sources/snapshots/<id>/build.py` without the
project installed, and put this folder on `sys.path` to import it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

SNAPSHOTS = Path(__file__).resolve().parent
SEED = SNAPSHOTS.parents[1] / "dbt_project" / "seeds" / "cities.csv"
RAW_ROOT = "https://raw.githubusercontent.com/citydip/citydip/main/sources/snapshots"
FIELDS = [
    "indicator_id",
    "geo_id",
    "geo_level",
    "period",
    "value",
    "unit",
    "approximate",
    "publisher",
    "publication",
    "source_url",
    "as_of",
    "note",
]


def write_publication(
    outdir: Path,
    source_id: str,
    file: str,
    rows: Iterable[Sequence[str] | Mapping[str, str]],
    retrieved_at: str,
    line_end: str = "\n",
) -> None:
    """The curated CSV (rows as lists in FIELDS order, or dicts by field) and its manifest."""
    outdir.mkdir(parents=True, exist_ok=True)
    with (outdir / file).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator=line_end)
        writer.writerow(FIELDS)
        for row in rows:
            writer.writerow([row[f] for f in FIELDS] if isinstance(row, Mapping) else row)
    manifest = {
        "retrieved_at": retrieved_at,
        "parts": [{"file": file, "url": f"{RAW_ROOT}/{source_id}/{file}"}],
    }
    with (outdir / "manifest.json").open("w", newline="\n", encoding="utf-8") as handle:
        handle.write(json.dumps(manifest, indent=2) + "\n")
