"""Rebuild this snapshot from `institutions_full_excerpt.csv`.

    python sources/snapshots/openalex/build.py [OUTDIR]

The excerpt is rows of a real OpenAlex /institutions dump (see README.md). This script lays them
out as the API returns `/institutions?filter=openalex_id:...&select=id,display_name,works_count,
cited_by_count&per-page=200&cursor=*`: one page, `meta.next_cursor` null, for the institutions
listed in `sources/openalex_institutions.csv`. No value is changed. Stdlib only.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
INSTITUTIONS = HERE.parents[2] / "sources" / "openalex_institutions.csv"
sys.path.insert(0, str(HERE.parent))  # build_cli, beside
from build_cli import run  # noqa: E402


def build_into(outdir: Path) -> str:
    with INSTITUTIONS.open(newline="", encoding="utf-8") as handle:
        wanted = [row["openalex_id"] for row in csv.DictReader(handle)]
    with (HERE / "institutions_full_excerpt.csv").open(newline="", encoding="utf-8") as handle:
        rows = {row["openalex_id"].rsplit("/", 1)[-1]: row for row in csv.DictReader(handle)}
    missing = [i for i in wanted if i not in rows]
    assert not missing, f"institutions without a dump row: {missing}"
    results = [
        {
            "id": rows[i]["openalex_id"],
            "display_name": rows[i]["display_name"],
            "works_count": int(rows[i]["works_count"]),
            "cited_by_count": int(rows[i]["cited_by_count"]),
        }
        for i in wanted
    ]
    meta = {"count": len(results), "page": None, "per_page": 200, "next_cursor": None}
    body = {"meta": meta, "results": results, "group_by": []}
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "institutions.json").write_text(
        json.dumps(body, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    url = (
        "https://api.openalex.org/institutions?filter=openalex_id:"
        + "|".join(wanted)
        + "&select=id,display_name,works_count,cited_by_count&per-page=200&cursor=*"
    )
    manifest = {
        "retrieved_at": "2024-12-27T00:00:00+00:00",
        "parts": [{"file": "institutions.json", "url": url}],
    }
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return f"{len(results)} institutions"


if __name__ == "__main__":
    run(__doc__, HERE, build_into)
