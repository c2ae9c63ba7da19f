"""The editions' history in the published warehouse: every publish copies the history tables of
the edition it replaces verbatim (old editions never change) and appends its own rows.

| table | grain |
|---|---|
| `edition_history` | edition: published_at, git commit, dbt vars |
| `edition_source_history` | edition x source: the payload hash it was built from |
| `<mart>_history` | edition x the rows of the mart (scorecard_city, scorecard_indicator, ...) |

The new edition's id is the previous one's plus one (1 for the first publish).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.sql import sql_identifier, sql_literal

# The marts kept per edition: scorecard_city for comparing and rebuilding, the others are the
# inputs of the numpy scorecard model that the attribution re-scores.
HISTORY_MARTS = (
    "scorecard_city",
    "scorecard_pillar",
    "scorecard_indicator",
    "dim_indicator",
    "dim_pillar",
)
EDITION_TABLES = ("edition_history", "edition_source_history")
PREVIOUS = "previous_edition"


def history_table(mart: str) -> str:
    return f"{mart}_history"


def kept_tables() -> list[str]:
    """Every table an edition carries over from the one it replaces."""
    from pipelines.editions.anomalies import ANOMALY_TABLE
    from pipelines.editions.attribution import ATTRIBUTION_TABLES

    return [
        *EDITION_TABLES,
        *(history_table(m) for m in HISTORY_MARTS),
        ANOMALY_TABLE,
        *ATTRIBUTION_TABLES,
    ]


def tables_in(con: duckdb.DuckDBPyConnection, database: str | None = None) -> set[str]:
    """The tables of a database's main schema (the one `con` is connected to by default)."""
    rows = con.execute(
        "select table_name from duckdb_tables() "
        "where database_name = coalesce(?, current_database()) and schema_name = 'main'",
        [database],
    ).fetchall()
    return {name for (name,) in rows}


def attach_previous(con: duckdb.DuckDBPyConnection, previous: Path | None) -> bool:
    """Attach the edition being replaced read-only as `previous_edition`; False if none."""
    if previous is None or not previous.exists():
        return False
    con.execute(f"attach {sql_literal(str(previous))} as {PREVIOUS} (read_only)")
    return True


def previous_edition_id(con: duckdb.DuckDBPyConnection, attached: bool) -> int | None:
    if not attached or "edition_history" not in tables_in(con, PREVIOUS):
        return None
    return con.execute(
        f"select max(edition_id) from {sql_identifier(PREVIOUS)}.main.edition_history"
    ).fetchone()[0]


def record_history(
    con: duckdb.DuckDBPyConnection, attached: bool, dbt_vars: dict, published_at, commit: str
) -> int:
    """Copy the previous edition's history into the new edition `con` is connected to (its
    main schema) and append the new edition; return the new edition's id."""
    previous_tables = tables_in(con, PREVIOUS) if attached else set()
    for table in kept_tables():
        if table in previous_tables:
            con.execute(
                f"create table {sql_identifier(table)} as "
                f"select * from {PREVIOUS}.main.{sql_identifier(table)}"
            )
    last = previous_edition_id(con, attached)
    edition_id = 1 if last is None else last + 1
    present = tables_in(con)
    if "edition_history" not in present:
        con.execute(
            "create table edition_history (edition_id integer not null, published_at timestamptz,"
            " git_commit varchar, dbt_vars varchar, previous_edition_id integer)"
        )
    con.execute(
        "insert into edition_history values (?, ?, ?, ?, ?)",
        [edition_id, published_at, commit, json.dumps(dbt_vars, sort_keys=True), last],
    )
    sources = (
        "select ? as edition_id, source_id, payload_sha256, max(fetched_at) as fetched_at, "
        "count(*) as observations from fct_observation group by all order by source_id"
    )
    # an edition without observations (a bare scorecard) has no sources to record
    if "fct_observation" in present:
        if "edition_source_history" in present:
            con.execute("insert into edition_source_history " + sources, [edition_id])
        else:
            con.execute("create table edition_source_history as " + sources, [edition_id])
    for mart in HISTORY_MARTS:
        if mart not in present:
            continue
        table = sql_identifier(history_table(mart))
        rows = f"select {edition_id} as edition_id, * from {sql_identifier(mart)}"
        if history_table(mart) in present:
            # a column added to a mart since an older edition: older rows read null
            con.execute(f"create table _history_new as from {table} union all by name {rows}")
            con.execute(f"drop table {table}")
            con.execute(f"alter table _history_new rename to {table}")
        else:
            con.execute(f"create table {table} as {rows}")
    return edition_id


def record_edition(
    con: duckdb.DuckDBPyConnection, previous: Path | None, dbt_vars: dict, published_at
) -> int:
    """Give the new edition `con` is connected to its history, anomalies and attribution
    against the edition it replaces (`previous`, the current published file, read-only)."""
    from pipelines.defs.edition import git_commit
    from pipelines.editions.anomalies import record_anomalies
    from pipelines.editions.attribution import record_attribution

    attached = attach_previous(con, previous)
    try:
        previous_id = previous_edition_id(con, attached)
        edition_id = record_history(con, attached, dbt_vars, published_at, git_commit())
        record_anomalies(con, PREVIOUS if attached else None, edition_id, previous_id)
    finally:
        if attached:
            con.execute(f"detach {sql_identifier(PREVIOUS)}")
    record_attribution(con, edition_id, previous_id)
    return edition_id
