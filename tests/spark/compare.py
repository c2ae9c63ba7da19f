"""Comparing a table built on Spark with the one built on DuckDB: the same columns in the same
order, the same rows in any order, floats within TOLERANCE (absolute, or relative for values
above 1). Used by test_spark_parity.py and test_spark_refresh.py."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import duckdb

# Every table the published warehouse takes from dbt that Spark builds: the marts and the audit's
# SQL model (its Python models run on DuckDB only: docs/operations.md).
MARTS = (
    "dim_city",
    "dim_indicator",
    "dim_pillar",
    "fct_observation",
    "scorecard_indicator",
    "scorecard_pillar",
    "scorecard_city",
    "scorecard_contribution",
    "scorecard_sensitivity",
    "scorecard_edition",
    "scorecard_concordance",
    "audit_city_strengths",
)
VIEWS = ("indicator_timeseries", "latest_scorecard")
TOLERANCE = 1e-9


def rows(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[list[str], list[tuple]]:
    result = con.execute(f"select * from {relation}")
    return [d[0] for d in result.description], result.fetchall()


def _plain(value):
    """A value as comparable across engines: numbers as float, points in time in naive UTC."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return value


def _sorted(rows: list[tuple], floats: set[int]) -> list[tuple]:
    """Rows sorted by their exact columns first, then by their float columns (rounded, so that
    floating-point noise does not reorder them)."""

    def key(row: tuple) -> tuple:
        exact = [(v is None, str(v)) for i, v in enumerate(row) if i not in floats]
        inexact = [
            (v is None, round(v, 6) if v is not None else 0.0)
            for i, v in enumerate(row)
            if i in floats
        ]
        return (*exact, *inexact)

    return sorted(rows, key=key)


def differences(columns: list[str], duck: list[tuple], spark: list[tuple]) -> list[str]:
    duck_plain = [tuple(_plain(v) for v in row) for row in duck]
    spark_plain = [tuple(_plain(v) for v in row) for row in spark]
    floats = {
        i for row in duck_plain + spark_plain for i, v in enumerate(row) if isinstance(v, float)
    }
    duck_rows, spark_rows = _sorted(duck_plain, floats), _sorted(spark_plain, floats)
    if len(duck_rows) != len(spark_rows):
        return [f"{len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark"]
    found = []
    for number, (a, b) in enumerate(zip(duck_rows, spark_rows, strict=True)):
        for column, x, y in zip(columns, a, b, strict=True):
            if isinstance(x, float) and isinstance(y, float):
                same = math.isclose(x, y, rel_tol=TOLERANCE, abs_tol=TOLERANCE) or (
                    math.isnan(x) and math.isnan(y)
                )
            else:
                same = x == y
            if not same:
                found.append(f"row {number} {column}: DuckDB {x!r}, Spark {y!r}")
    return found[:20]
