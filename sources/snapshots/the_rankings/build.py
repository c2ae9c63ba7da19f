"""Derive "median international-student share of the city's THE-ranked universities".

    python sources/snapshots/the_rankings/build.py [OUTDIR]                   # the default build
    python sources/snapshots/the_rankings/build.py [OUTDIR] --upstream FILE   # from the table

Only THE's "International Students" column (share of students who are international, per
institution) is used: the compilation's Rank and Overall Score columns look computed by the
compiler, not published by THE, so they are never read. THE owns the tables and redistribution
is not cleared, so citydip ships no table: `source_export/the_intl_students_excerpt.csv` holds
only the rows this script reads (the institutions of CITY_OF), with their `Year`, `Name` and
`International Students` as the compilation gives them. `--upstream FILE` derives it from the
compilation (UPSTREAM, a cp1252 CSV; see README.md), writing it to OUTDIR/source_export/; the
default build reads the shipped one.

The institution -> city assignment is by main campus (the administrative city for Tokyo and
Seoul, Greater London, Ile-de-France for Paris, New York City's five boroughs); Dubai has no
institution in the compilation, so it gets no row. Stdlib only.
"""

from __future__ import annotations

import csv
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # build_cli, curated_build
from build_cli import run, source_export  # noqa: E402
from curated_build import write_publication  # noqa: E402

EXPORT_NAME = "the_intl_students_excerpt.csv"
RETRIEVED_AT = "2026-11-25T00:00:00+00:00"  # the day this snapshot was built
EXPORT_COLUMNS = ["Year", "Name", "International Students"]
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


def share(text: str) -> float | None:
    """'26%' -> 26.0; blank or malformed -> None (that institution is left out)."""
    text = text.strip().rstrip("%").strip()
    try:
        return float(text)
    except ValueError:
        return None


def derive_export(upstream: Path, export: Path) -> None:
    """Keep, in table order, the EXPORT_COLUMNS of the rows of CITY_OF's institutions."""
    names = {name for names in CITY_OF.values() for name in names}
    with upstream.open(newline="", encoding="cp1252") as handle:
        rows = [row for row in csv.DictReader(handle) if row["Name"].strip() in names]
    with export.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows([row[column] for column in EXPORT_COLUMNS] for row in rows)


def build_into(outdir: Path, upstream: Path | None = None) -> str:
    export = source_export(HERE, outdir, EXPORT_NAME, upstream, derive_export)
    city_of = {name: city for city, names in CITY_OF.items() for name in names}
    shares: dict[tuple[str, int], list[float]] = {}
    with export.open(newline="", encoding="utf-8") as handle:
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
    # CRLF line ends, as this CSV was first shipped
    write_publication(
        outdir, "the_rankings", "the_intl_student_share.csv", rows, RETRIEVED_AT, line_end="\r\n"
    )
    return f"{len(rows)} rows"


if __name__ == "__main__":
    run(__doc__, HERE, build_into, upstream="the THE compilation (cp1252 CSV)")
