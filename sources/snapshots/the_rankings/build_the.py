"""Derive "median international-student share of the city's THE-ranked universities" (repo root).

Input: the THE World University Rankings 2016-2024 compilation in ../shared/data/university_rankings
(a third-party re-upload; see that folder's PROVENANCE.txt). Only THE's "International Students"
column (share of students who are international, per institution) is used: the compilation's Rank
and Overall Score columns look computed by the compiler, not published by THE, so they are never
read. THE owns the tables and redistribution is not cleared, so citydip ships only this derived
median per city and edition. The institution -> city assignment is by main campus (the
administrative city for Tokyo and Seoul, Greater London, Ile-de-France for Paris, New York City's
five boroughs); Dubai has no institution in the compilation, so it gets no row.
"""

from __future__ import annotations

import csv
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).parent
SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data") / "university_rankings"
FILE = "THE_WUR_2016-2024_selected_countries.csv"
UPSTREAM = "github.com/Malikazeez/Universities-Ranking-Analytics@3bae311"
CITY_OF = {
    "hong-kong": [
        "Chinese University of Hong Kong",
        "City University of Hong Kong",
        "Hong Kong Baptist University",
        "Hong Kong Polytechnic University",
        "The Hong Kong University of Science and Technology",
        "University of Hong Kong",
    ],
    "singapore": [
        "Nanyang Technological University, Singapore",
        "National University of Singapore",
    ],
    "tokyo": [
        "Aoyama Gakuin University",
        "Chuo University",
        "Hosei University",
        "Juntendo University",
        "Keio University",
        "Kitasato University",
        "Kogakuin University",
        "Meiji University",
        "Nippon Medical School",
        "Ochanomizu University",
        "Rikkyo University",
        "Shibaura Institute of Technology",
        "Showa University",
        "Sophia University",
        "Teikyo University",
        "The Jikei University School of Medicine",
        "The University of Tokyo",
        "Tokyo City University",
        "Tokyo Denki University",
        "Tokyo Institute of Technology",
        "Tokyo Medical University",
        "Tokyo Medical and Dental University (TMDU)",
        "Tokyo Metropolitan University",
        "Tokyo University of Agriculture",
        "Tokyo University of Agriculture and Technology",
        "Tokyo University of Marine Science and Technology",
        "Tokyo University of Pharmacy and Life Sciences",
        "Tokyo University of Science",
        "Toyo University",
        "Waseda University",
    ],
    "seoul": [
        "Chung-Ang University",
        "Ewha Womans University",
        "Hanyang University",
        "Konkuk University",
        "Kookmin University",
        "Korea University",
        "Kyung Hee University",
        "Sejong University",
        "Seoul National University",
        "Seoul National University of Science and Technology (SeoulTech)",
        "Sogang University",
        "Soongsil University",
        "Sungkyunkwan University (SKKU)",
        "University of Seoul",
        "Yonsei University",
        "Yonsei University (Seoul campus)",
    ],
    "shanghai": [
        "Donghua University",
        "East China Normal University",
        "East China University of Science and Technology",
        "Fudan University",
        "Shanghai Jiao Tong University",
        "Shanghai Maritime University",
        "Shanghai University",
        "Shanghai University of Finance and Economics (SUFE)",
        "Tongji University",
        "University of Shanghai for Science and Technology",
    ],
    "london": [
        "Birkbeck, University of London",
        "Brunel University London",
        "City, University of London",
        "Goldsmiths, University of London",
        "Imperial College London",
        "Kingston University",
        "King\u2019s College London",
        "London Metropolitan University",
        "London School of Economics and Political Science",
        "London South Bank University",
        "Middlesex University",
        "Queen Mary University of London",
        "SOAS University of London",
        "St George\u2019s, University of London",
        "UCL",
        "University of East London",
        "University of Greenwich",
        "University of Roehampton",
        "University of West London",
        "University of Westminster",
    ],
    "paris": [
        "CY Cergy Paris University",
        "CentraleSup\u00e9lec",
        "ESPCI ParisTech",
        "Institut Polytechnique de Paris",
        "Mines ParisTech",
        "Panth\u00e9on-Sorbonne University \u2013 Paris 1",
        "Paris Dauphine University",
        "Paris Descartes University",
        "Paris Diderot University \u2013 Paris 7",
        "Paris Nanterre University",
        "Paris Sciences et Lettres \u2013 PSL Research University Paris",
        "Paris-Saclay University",
        "Paris-Sorbonne University \u2013 Paris 4",
        "Paris-Sud University",
        "Pierre and Marie Curie University",
        "Sciences Po",
        "Sorbonne University",
        "T\u00e9l\u00e9com Paris",
        "T\u00e9l\u00e9com SudParis",
        "University of Cergy-Pontoise",
        "University of Paris North \u2013 Paris 13",
        "Universit\u00e9 Paris Cit\u00e9",
        "Universit\u00e9 Paris-Saclay",
        "Universit\u00e9 Sorbonne Nouvelle",
        "Universit\u00e9 de Versailles Saint-Quentin-en-Yvelines",
        "\u00c9cole Polytechnique",
        "\u00c9cole des Ponts ParisTech",
        "\u00c9cole normale sup\u00e9rieure Paris-Saclay",
    ],
    "new-york": [
        "Columbia University",
        "Fordham University",
        "New York University",
        "The New School",
        "Yeshiva University",
    ],
}
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


def share(text: str) -> float | None:
    """'26%' -> 26.0; blank or malformed -> None (that institution is left out)."""
    text = text.strip().rstrip("%").strip()
    try:
        return float(text)
    except ValueError:
        return None


def main() -> None:
    city_of = {name: city for city, names in CITY_OF.items() for name in names}
    shares: dict[tuple[str, int], list[float]] = {}
    with (SHARED / FILE).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            city = city_of.get(row["Name"].strip())
            value = share(row["International Students"])
            if city and value is not None:
                shares.setdefault((city, int(row["Year"])), []).append(value)
    rows = [
        {
            "indicator_id": "the_intl_student_share",
            "geo_id": city,
            "geo_level": "metro",
            "period": year,
            "value": round(statistics.median(values), 2),
            "unit": "percent",
            "approximate": "false",
            "publisher": "Times Higher Education",
            "publication": f"THE World University Rankings {year}",
            "source_url": "https://www.timeshighereducation.com/world-university-rankings",
            "as_of": f"{year - 1}-09",
            "note": f"median 'International Students' share of {len(values)} ranked "
            f"institution(s), derived from the {UPSTREAM} compilation",
        }
        for (city, year), values in sorted(shares.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    with (HERE / "the_intl_student_share.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows")


if __name__ == "__main__":
    main()
