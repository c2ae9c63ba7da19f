"""Rebuild this snapshot from `institutions_full_excerpt.csv` (run from the repo root).

The excerpt is rows of a real OpenAlex /institutions dump (see README.md). This script lays them
out as the API returns `/institutions?filter=openalex_id:...&select=id,display_name,works_count,
cited_by_count&per-page=200&cursor=*`: one page, `meta.next_cursor` null. No value is changed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parent.parent.parent


def main() -> None:
    with (REPO / "sources" / "openalex_institutions.csv").open(newline="") as handle:
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
    (HERE / "institutions.json").write_text(json.dumps(body, ensure_ascii=False) + "\n")
    url = (
        "https://api.openalex.org/institutions?filter=openalex_id:"
        + "|".join(wanted)
        + "&select=id,display_name,works_count,cited_by_count&per-page=200&cursor=*"
    )
    manifest = {
        "retrieved_at": "2024-12-27T00:00:00+00:00",
        "parts": [{"file": "institutions.json", "url": url}],
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
