"""Filter the OpenFlights files to what citydip parses (run from the repo root).

Input: airports.dat and routes.dat from ../shared/data/openflights (unmodified copies of
github.com/jpatokal/openflights@5a03602, data/; see that folder's PROVENANCE.txt). Output, in the
same format: the routes leaving the cities' airports (dbt_project/seeds/cities.csv) and every
airport those routes touch. Lines are copied byte for byte, never edited.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).parent
SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data") / "openflights"
SEED = HERE.parent.parent.parent / "dbt_project" / "seeds" / "cities.csv"


def main() -> None:
    with SEED.open(newline="", encoding="utf-8") as handle:
        origins = {code for row in csv.DictReader(handle) for code in row["iata_codes"].split()}
    route_lines = [
        line
        for line in (SHARED / "routes.dat").read_bytes().splitlines(keepends=True)
        if line.split(b",")[2].decode() in origins
    ]
    used_ids = set()
    used_codes = set()
    for line in route_lines:
        fields = line.decode().split(",")
        used_ids.update({fields[3], fields[5]})
        used_codes.update({fields[2], fields[4]})
    airport_lines = []
    for line in (SHARED / "airports.dat").read_bytes().splitlines(keepends=True):
        fields = next(csv.reader(io.StringIO(line.decode("utf-8"))))
        if fields[0] in used_ids or fields[4] in used_codes:
            airport_lines.append(line)
    (HERE / "routes.dat").write_bytes(b"".join(route_lines))
    (HERE / "airports.dat").write_bytes(b"".join(airport_lines))
    print(f"{len(route_lines)} routes, {len(airport_lines)} airports")


if __name__ == "__main__":
    main()
