"""Anomalies between the edition being published and the one it replaces, one row each in
`edition_anomaly` (kept for every edition, like the history):

| kind | raised when |
|---|---|
| `disappeared_observation` | an observation (source, indicator, geography, period) of the previous edition is gone |
| `revision_beyond_tolerance` | the same observation changed by more than the indicator's `max_revision_factor` (registry), a factor either way |
| `jump_vs_history` | a new observation steps from the series' previous period by more than `JUMP_MARGIN` times the largest step the series made in the previous edition |
| `rank_outside_interval` | a city's overall rank of a year falls outside the 5th-95th percentile rank interval the previous edition published for it |

They are warnings (the edition is published): the edition_<kind> asset checks on
published_warehouse report them, and `citydip status` exits 5 while the newest edition has any.
"""

from __future__ import annotations

import csv
import math

import duckdb

from pipelines.editions.history import tables_in
from pipelines.settings import DBT_PROJECT_DIR
from pipelines.sql import sql_identifier

ANOMALY_TABLE = "edition_anomaly"
KINDS = (
    "disappeared_observation",
    "revision_beyond_tolerance",
    "jump_vs_history",
    "rank_outside_interval",
)
JUMP_MARGIN = 2.0
DEFAULT_REVISION_FACTOR = 2.0
COLUMNS = (
    "edition_id integer, previous_edition_id integer, kind varchar, source_id varchar, "
    "indicator_id varchar, geo_id varchar, period integer, city_id varchar, year integer, "
    "old_value double, new_value double, tolerance double, detail varchar"
)


def revision_tolerances() -> dict[str, float]:
    """{indicator_id: max_revision_factor} from the indicator registry (seed `indicators`)."""
    with (DBT_PROJECT_DIR / "seeds" / "indicators.csv").open(newline="", encoding="utf-8") as f:
        return {
            row["indicator_id"]: float(row["max_revision_factor"] or DEFAULT_REVISION_FACTOR)
            for row in csv.DictReader(f)
        }


def factor(old: float, new: float) -> float:
    """How many times larger one value is than the other (inf when one is 0 and they differ)."""
    if old == new:
        return 1.0
    low, high = sorted((abs(old), abs(new)))
    if low == 0 or (old < 0) != (new < 0):
        return math.inf
    return high / low


def find_anomalies(con: duckdb.DuckDBPyConnection, previous: str) -> list[dict]:
    """The anomalies of the edition in `con`'s main schema against the attached `previous`."""
    found: list[dict] = []
    key = "source_id, indicator_id, geo_id, period"
    for s, i, g, p, v in con.execute(
        f"select {key}, value from {previous}.main.fct_observation "
        f"where ({key}) not in (select ({key}) from main.fct_observation) order by all"
    ).fetchall():
        found.append(
            {
                "kind": KINDS[0],
                "source_id": s,
                "indicator_id": i,
                "geo_id": g,
                "period": p,
                "old_value": v,
                "detail": f"{i} {g} {p} ({s}) is no longer in the data",
            }
        )
    tolerances = revision_tolerances()
    for s, i, g, p, old, new in con.execute(
        f"select {key}, o.value, n.value from {previous}.main.fct_observation as o "
        f"join main.fct_observation as n using ({key}) where o.value <> n.value order by all"
    ).fetchall():
        tolerance = tolerances.get(i, DEFAULT_REVISION_FACTOR)
        if factor(old, new) > tolerance:
            found.append(
                {
                    "kind": KINDS[1],
                    "source_id": s,
                    "indicator_id": i,
                    "geo_id": g,
                    "period": p,
                    "old_value": old,
                    "new_value": new,
                    "tolerance": tolerance,
                    "detail": f"{i} {g} {p} revised {old:g} -> {new:g}, beyond a factor {tolerance:g}",
                }
            )
    found += _jumps(con, previous)
    found += _ranks(con, previous)
    return found


def _jumps(con: duckdb.DuckDBPyConnection, previous: str) -> list[dict]:
    rows = con.execute(
        f"""
        with old as (select * from {previous}.main.fct_observation),
        steps as (
            select source_id, indicator_id, geo_id,
                max(abs(value - lag_value)) as largest_step, count(*) as steps
            from (
                select *, lag(value) over (
                    partition by source_id, indicator_id, geo_id order by period) as lag_value
                from old
            )
            where lag_value is not null
            group by all
        ),
        new as (
            select n.*, lag(n.value) over (
                partition by n.source_id, n.indicator_id, n.geo_id order by n.period) as lag_value
            from main.fct_observation as n
        )
        select new.source_id, new.indicator_id, new.geo_id, new.period, new.lag_value,
            new.value, steps.largest_step
        from new
        join steps using (source_id, indicator_id, geo_id)
        where new.lag_value is not null
          and (new.source_id, new.indicator_id, new.geo_id, new.period) not in
              (select (source_id, indicator_id, geo_id, period) from old)
          and abs(new.value - new.lag_value) > {JUMP_MARGIN} * steps.largest_step
        order by all
        """
    ).fetchall()
    return [
        {
            "kind": KINDS[2],
            "source_id": s,
            "indicator_id": i,
            "geo_id": g,
            "period": p,
            "old_value": before,
            "new_value": v,
            "tolerance": JUMP_MARGIN * step,
            "detail": f"{i} {g} {p}: {before:g} -> {v:g}, a step beyond {JUMP_MARGIN:g} x the "
            f"series' largest ({step:g})",
        }
        for s, i, g, p, before, v, step in rows
    ]


def _ranks(con: duckdb.DuckDBPyConnection, previous: str) -> list[dict]:
    rows = con.execute(
        f"""
        select n.city_id, n.year, n.overall_rank, o.overall_rank, o.rank_p05, o.rank_p95
        from main.scorecard_city as n
        join {previous}.main.scorecard_city as o using (city_id, year)
        where n.overall_rank is not null and o.rank_p05 is not null
          and (n.overall_rank < o.rank_p05 or n.overall_rank > o.rank_p95)
        order by all
        """
    ).fetchall()
    return [
        {
            "kind": KINDS[3],
            "city_id": c,
            "year": y,
            "old_value": old,
            "new_value": new,
            "detail": f"{c} {y}: rank {new} outside the previous edition's interval "
            f"{lo:g}-{hi:g} (was {old})",
        }
        for c, y, new, old, lo, hi in rows
    ]


def record_anomalies(
    con: duckdb.DuckDBPyConnection, previous: str | None, edition_id: int, previous_id: int | None
) -> int:
    """Append the new edition's anomalies to edition_anomaly (created when missing)."""
    con.execute(f"create table if not exists {sql_identifier(ANOMALY_TABLE)} ({COLUMNS})")
    if previous is None or not _has_observations(con, previous):
        return 0  # a first edition, or a bare scorecard without observations to compare
    found = find_anomalies(con, previous)
    if not found:
        return 0  # DuckDB refuses executemany with no rows
    fields = [c.split()[0] for c in COLUMNS.split(", ")]
    con.executemany(
        f"insert into {ANOMALY_TABLE} values ({', '.join('?' * len(fields))})",
        [[edition_id, previous_id, *(a.get(f) for f in fields[2:])] for a in found],
    )
    return len(found)


def _has_observations(con: duckdb.DuckDBPyConnection, previous: str) -> bool:
    """Both editions have observations (neither is a bare scorecard)."""
    return "fct_observation" in tables_in(con) & tables_in(con, previous)


def newest_anomalies(con: duckdb.DuckDBPyConnection, kind: str | None = None) -> list[dict]:
    """The anomalies of the newest edition in a published file (all kinds, or one)."""
    if not {ANOMALY_TABLE, "edition_history"} <= tables_in(con):
        return []
    rows = con.execute(
        f"select * from {ANOMALY_TABLE} where edition_id = "
        "(select max(edition_id) from edition_history) and (? is null or kind = ?) order by all",
        [kind, kind],
    )
    names = [d[0] for d in rows.description]
    return [dict(zip(names, row, strict=True)) for row in rows.fetchall()]
