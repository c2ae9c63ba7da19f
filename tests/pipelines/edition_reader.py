"""A reader process for the concurrency test: query the published warehouse in a loop.

Usage: python -m tests.pipelines.edition_reader CITYDIP_HOME STOP_FILE
Prints one JSON line per read: the edition seen and whether it was complete (every table's
row count equal to what its `_citydip_meta` says, every published mart and view present), or
the error.
After STOP_FILE appears it reads once more and exits.

It pauses PAUSE_S between reads. A read takes ~35 ms; read in a busy loop, the reader took a
whole core from the refreshes it watches on a 2-core machine (~220 CPU-s of `make test-e2e`).
What it must catch lasts far longer than the pause: publishing writes the new edition's whole
file (~0.5-1 s) before the swap, so a publish that wrote the published file in place, or held
it open, would meet several reads.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from pipelines.defs.publish import MARTS
from pipelines.read.reader import open_published

PAUSE_S = 0.05


def read_once(published: Path) -> dict:
    try:
        with open_published(published) as con:
            edition = con.execute(
                "select value from _citydip_meta where section = 'edition' and name = 'published_at'"
            ).fetchone()[0]
            promised = dict(
                con.execute(
                    "select name, row_count from _citydip_meta where section = 'table'"
                ).fetchall()
            )
            actual = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in promised}
            tables = con.execute("select table_name from information_schema.tables").fetchall()
            relations = {name for (name,) in tables}
            latest = con.execute("select count(*) from latest_scorecard").fetchone()[0]
            complete = set(MARTS) <= relations and promised == actual and latest > 0
            return {"edition": edition, "complete": complete}
    except Exception as exc:  # every failure is what the test counts
        return {"error": f"{type(exc).__name__}: {exc}"}


def main() -> None:
    published, stop = Path(sys.argv[1]) / "citydip.duckdb", Path(sys.argv[2])
    while True:
        stopping = stop.exists()
        print(json.dumps(read_once(published)), flush=True)
        if stopping:
            return
        time.sleep(PAUSE_S)


if __name__ == "__main__":
    main()
