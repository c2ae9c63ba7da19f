"""Derive "universities in the QS World University Rankings top 100, per city".

    python sources/snapshots/qs_rankings/build.py [OUTDIR]                   # the default build
    python sources/snapshots/qs_rankings/build.py [OUTDIR] --upstream DIR    # from the tables

QS owns its tables and their redistribution is not cleared, so citydip ships neither them nor
their scores: `source_export/qs_top100_excerpt.csv` holds, per edition, only the rows this
script counts (an institution of CITY_OF ranked in the top 100), with the edition, the rank and
the institution's name as the table gives them. `--upstream DIR` derives it from the three
QS WUR tables (2023/2024/2025) in DIR, named as in the third-party re-uploads listed in EDITIONS
(see README.md), writing it to OUTDIR/source_export/; the default build reads the shipped one.
The institution -> city assignment below is by each university's main campus. Stdlib only.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # build_cli, curated_build
from build_cli import run, source_export  # noqa: E402
from curated_build import write_publication  # noqa: E402

EXPORT_NAME = "qs_top100_excerpt.csv"
RETRIEVED_AT = "2026-11-25T00:00:00+00:00"  # the day this snapshot was built
EXPORT_COLUMNS = ["edition", "rank", "institution"]
EDITIONS = {  # edition -> (upstream file, rank column, name column, upstream repository/commit)
    2025: (
        "QS World University Rankings 2025 (Top global universities).csv",
        "RANK_2025",
        "Institution_Name",
        "github.com/djdiptayan1/QS-World-Rankings-2025-Analysis-DS@6cb0558",
    ),
    2024: (
        "2024 QS World University Rankings 1.1 (For qs.com).csv",
        "2024 RANK",
        "Institution Name",
        "github.com/onurozansunger/ADM-HW3-Group-26@0a59065",
    ),
    2023: (
        "2023 QS World University Rankings.csv",
        "Rank",
        "Institution",
        "github.com/flavioramon/datasets@7c33516",
    ),
}
CITY_OF = {  # main campus in the city (metro area for Paris)
    "The University of Hong Kong": "hong-kong",
    "The Chinese University of Hong Kong (CUHK)": "hong-kong",
    "The Hong Kong University of Science and Technology": "hong-kong",
    "The Hong Kong Polytechnic University": "hong-kong",
    "City University of Hong Kong": "hong-kong",
    "National University of Singapore (NUS)": "singapore",
    "Nanyang Technological University, Singapore (NTU)": "singapore",
    "The University of Tokyo": "tokyo",
    "Tokyo Institute of Technology (Tokyo Tech)": "tokyo",
    "Seoul National University": "seoul",
    "Yonsei University": "seoul",
    "Korea University": "seoul",
    "Sungkyunkwan University(SKKU)": "seoul",
    "Fudan University": "shanghai",
    "Shanghai Jiao Tong University": "shanghai",
    "Imperial College London": "london",
    "UCL": "london",
    "King's College London": "london",
    "The London School of Economics and Political Science (LSE)": "london",
    "Université PSL": "paris",
    "Sorbonne University": "paris",
    "Institut Polytechnique de Paris": "paris",
    "Université Paris-Saclay": "paris",
    "Columbia University": "new-york",
    "New York University (NYU)": "new-york",
}
CITIES = [
    "hong-kong",
    "singapore",
    "tokyo",
    "seoul",
    "shanghai",
    "london",
    "paris",
    "new-york",
    "dubai",
]


def institution(name: str) -> str:
    return name.strip().replace("Universit\ufffd", "Université")


def in_top_100(rank: str) -> bool:
    """A rank as the tables write it ("12", "=12", "101-110"): does it start at most at 100?"""
    digits = re.sub(r"[^0-9]", "", rank.split("-")[0])
    return bool(digits) and int(digits) <= 100


def derive_export(upstream: Path, export: Path) -> None:
    """Keep, per edition and in table order, the top-100 rows of CITY_OF's institutions."""
    with export.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        for edition, (file, rank_col, name_col, _) in EDITIONS.items():
            with (upstream / file).open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    rank, name = row[rank_col], row[name_col]
                    if in_top_100(rank) and institution(name) in CITY_OF:
                        writer.writerow([edition, rank, name])


def build_into(outdir: Path, upstream: Path | None = None) -> str:
    export = source_export(HERE, outdir, EXPORT_NAME, upstream, derive_export)
    members: dict[int, dict[str, list[str]]] = {e: {c: [] for c in CITIES} for e in EDITIONS}
    with export.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = institution(row["institution"])
            if in_top_100(row["rank"]) and name in CITY_OF:
                members[int(row["edition"])][CITY_OF[name]].append(name)
    rows = []
    for edition, (_, _, _, upstream_repo) in EDITIONS.items():
        for city in CITIES:
            rows.append(
                {
                    "indicator_id": "qs_top100_universities",
                    "geo_id": city,
                    "geo_level": "metro",
                    "period": edition,
                    "value": len(members[edition][city]),
                    "unit": "count",
                    "approximate": "false",
                    "publisher": "QS Quacquarelli Symonds",
                    "publication": f"QS World University Rankings {edition}",
                    "source_url": "https://www.topuniversities.com/world-university-rankings",
                    "as_of": f"{edition - 1}-06",
                    "note": f"derived from the {upstream_repo} re-upload: "
                    + ("; ".join(members[edition][city]) or "none in the top 100"),
                }
            )
    # CRLF line ends, as this CSV was first shipped
    write_publication(
        outdir, "qs_rankings", "qs_top100_universities.csv", rows, RETRIEVED_AT, line_end="\r\n"
    )
    return f"{len(rows)} rows"


if __name__ == "__main__":
    run(__doc__, HERE, build_into, upstream="the folder of the three QS WUR tables")
