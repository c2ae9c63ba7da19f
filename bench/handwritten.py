"""Run bench/handwritten_scorecard.sql on a working database: `python -m bench.handwritten DB`.

It runs in its own process (measured by bench.probe) with the DuckDB settings the dbt profile
uses, and stores its result as bench.handwritten_scorecard for the comparison with dbt's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb

from bench.generate import FIRST_YEAR

SQL = Path(__file__).with_name("handwritten_scorecard.sql")


def duckdb_settings() -> dict[str, str]:
    """The settings dbt_project/profiles.yml gives DuckDB, from the same variables."""
    return {
        "memory_limit": os.environ.get("CITYDIP_DUCKDB_MEMORY_LIMIT", "2GB"),
        "threads": os.environ.get("CITYDIP_DUCKDB_THREADS", "2"),
        "preserve_insertion_order": "false",
    }


def statement(con: duckdb.DuckDBPyConnection) -> str:
    tables = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'raw' and table_name like '%\\_observations' escape '\\' "
            "order by 1"
        ).fetchall()
    ]
    union = "\n    union all\n    ".join(
        f"select indicator_id, geo_id, geo_level, cast(period as integer) as period, "
        f"cast(value as double) as value from raw.{t}"
        for t in tables
    )
    return SQL.read_text().replace("{observations}", union)


def main(
    database: str,
    first_year: int = FIRST_YEAR,
    max_data_age: int = 3,
    min_pillar_coverage: float = 0.5,
) -> int:
    with duckdb.connect(database, config=duckdb_settings()) as con:
        con.execute("create schema if not exists bench")
        con.execute(
            f"create or replace table bench.handwritten_scorecard as {statement(con)}",
            {
                "first_year": first_year,
                "max_data_age": max_data_age,
                "min_pillar_coverage": min_pillar_coverage,
            },
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2], *(int(a) for a in sys.argv[2:4])))
