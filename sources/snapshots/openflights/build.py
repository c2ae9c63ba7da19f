"""Filter the OpenFlights files to the routes leaving the seed cities' airports.

    python sources/snapshots/openflights/build.py [OUTDIR]

Input: `source_export/airports.dat` and `source_export/routes.dat`, unmodified copies of
github.com/jpatokal/openflights@5a03602 `data/` (see README.md), and the city seed
`dbt_project/seeds/cities.csv`. Output, in the same format: the routes leaving the cities'
airports (`iata_codes`) and every airport those routes touch. Lines are copied byte for byte,
never edited, so after adding a city to the seed a rebuild gives its routes too. Stdlib only.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # curated_build, build_cli
from build_cli import run  # noqa: E402
from curated_build import SEED  # noqa: E402

EXPORT = HERE / "source_export"


def build_into(outdir: Path) -> str:
    with SEED.open(newline="", encoding="utf-8") as handle:
        origins = {code for row in csv.DictReader(handle) for code in row["iata_codes"].split()}
    route_lines = [
        line
        for line in (EXPORT / "routes.dat").read_bytes().splitlines(keepends=True)
        if line.split(b",")[2].decode() in origins
    ]
    used_ids = set()
    used_codes = set()
    for line in route_lines:
        fields = line.decode().split(",")
        used_ids.update({fields[3], fields[5]})
        used_codes.update({fields[2], fields[4]})
    airport_lines = []
    for line in (EXPORT / "airports.dat").read_bytes().splitlines(keepends=True):
        fields = next(csv.reader(io.StringIO(line.decode("utf-8"))))
        if fields[0] in used_ids or fields[4] in used_codes:
            airport_lines.append(line)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "routes.dat").write_bytes(b"".join(route_lines))
    (outdir / "airports.dat").write_bytes(b"".join(airport_lines))
    return f"{len(route_lines)} routes, {len(airport_lines)} airports"


if __name__ == "__main__":
    run(__doc__, HERE, build_into)
