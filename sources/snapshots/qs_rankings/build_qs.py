"""Derive "universities in the QS World University Rankings top 100, per city" (run from repo root).

Input: the QS WUR 2023/2024/2025 extracts in ../shared/data/university_rankings (third-party
re-uploads of QS's tables; see that folder's PROVENANCE.txt). QS owns the tables and their
redistribution is not cleared, so citydip ships only this derived count per city and edition,
never the table. The institution -> city assignment below is by each university's main campus.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data") / "university_rankings"
EDITIONS = {  # edition -> (file, rank column, name column, upstream repository/commit)
    2025: (
        "QS_WUR_2025_selected_countries.csv",
        "RANK_2025",
        "Institution_Name",
        "github.com/djdiptayan1/QS-World-Rankings-2025-Analysis-DS@6cb0558",
    ),
    2024: (
        "QS_WUR_2024_selected_countries.csv",
        "2024 RANK",
        "Institution Name",
        "github.com/onurozansunger/ADM-HW3-Group-26@0a59065",
    ),
    2023: (
        "QS_WUR_2023_selected_countries.csv",
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


def main() -> None:
    rows = []
    for edition, (file, rank_col, name_col, upstream) in EDITIONS.items():
        counts = dict.fromkeys(CITIES, 0)
        members: dict[str, list[str]] = {c: [] for c in CITIES}
        with (SHARED / file).open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rank = re.sub(r"[^0-9]", "", row[rank_col].split("-")[0])
                name = row[name_col].strip().replace("Universit\ufffd", "Université")
                if rank and int(rank) <= 100 and name in CITY_OF:
                    counts[CITY_OF[name]] += 1
                    members[CITY_OF[name]].append(name)
        for city in CITIES:
            rows.append(
                {
                    "indicator_id": "qs_top100_universities",
                    "geo_id": city,
                    "geo_level": "metro",
                    "period": edition,
                    "value": counts[city],
                    "unit": "count",
                    "approximate": "false",
                    "publisher": "QS Quacquarelli Symonds",
                    "publication": f"QS World University Rankings {edition}",
                    "source_url": "https://www.topuniversities.com/world-university-rankings",
                    "as_of": f"{edition - 1}-06",
                    "note": f"derived from the {upstream} re-upload: "
                    + ("; ".join(members[city]) or "none in the top 100"),
                }
            )
    with (HERE / "qs_top100_universities.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
