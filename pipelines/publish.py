"""Publish the marts to the read-only warehouse analysts open, by atomic rename.

The working database (build/) is copied table by table into a new file beside
citydip.duckdb, which then replaces it with os.replace: a reader holding the old file keeps a
consistent snapshot, a new reader gets the new one, and nobody ever sees a half-built table.
"""

import os
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.dbt_models import DBT_PROJECT, dbt_vars
from pipelines.edition import describe_edition, effective_dbt_vars
from pipelines.settings import load_settings
from pipelines.source_assets import WAREHOUSE_POOL

MARTS = [
    "dim_city",
    "dim_indicator",
    "fct_observation",
    "scorecard_indicator",
    "scorecard_pillar",
    "scorecard_city",
    "scorecard_contribution",
    "scorecard_sensitivity",
]


def sql_literal(text: str) -> str:
    """Quote a string (e.g. a file path) as a SQL literal."""
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The marts: every table dbt built in the working database's main schema."""
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'main' "
        "and table_type = 'BASE TABLE' order by table_name"
    ).fetchall()
    return [name for (name,) in rows]


def publish(con: duckdb.DuckDBPyConnection, target: Path) -> dict[str, int]:
    """Copy the marts into a new file and swap it in atomically; return row counts."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}.new")
    staging.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    con.execute(f"attach {sql_literal(str(staging))} as publish_target")
    try:
        for table in published_tables(con):
            name = sql_identifier(table)
            con.execute(f"create table publish_target.main.{name} as select * from main.{name}")
            counts[table] = con.execute(f"select count(*) from main.{name}").fetchone()[0]
    finally:
        con.execute("detach publish_target")
    with duckdb.connect(str(staging)) as edition:
        describe_edition(
            edition,
            manifest_path=Path(DBT_PROJECT.manifest_path),
            dbt_vars=effective_dbt_vars(dbt_vars()),
        )
        edition.execute("checkpoint")
    with staging.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staging, target)
    return counts


@dg.asset(
    key="published_warehouse",
    deps=[dg.AssetKey(mart) for mart in MARTS],
    group_name="publish",
    kinds={"duckdb"},
    owners=["team:citydip"],
    pool=WAREHOUSE_POOL,
    description="citydip.duckdb: the marts copied from the working database and swapped in "
    "atomically once every blocking check passed, with `_citydip_meta`, the dbt docs as "
    "comments and the views latest_scorecard and indicator_timeseries. Analysts and the cards "
    "read only this file.",
)
def published_warehouse(duckdb: DuckDBResource) -> dg.MaterializeResult:
    settings = load_settings()
    with duckdb.get_connection() as con:
        counts = publish(con, settings.published_db)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(settings.published_db)),
            **{f"rows/{table}": n for table, n in counts.items()},
        }
    )
