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

from pipelines.defs.dbt_models import DBT_PROJECT, dbt_vars
from pipelines.defs.edition import describe_edition, effective_dbt_vars
from pipelines.defs.source_assets import WAREHOUSE_POOL
from pipelines.settings import load_settings
from pipelines.sql import sql_identifier, sql_literal

MARTS = [
    "dim_city",
    "dim_pillar",
    "dim_indicator",
    "fct_observation",
    "scorecard_indicator",
    "scorecard_pillar",
    "scorecard_city",
    "scorecard_contribution",
    "scorecard_sensitivity",
    "scorecard_edition",
    "scorecard_concordance",
    "audit_correlation",
    "audit_pillar_coherence",
    "audit_effective_weight",
    "audit_sobol",
    "audit_city_strengths",
]


def published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The marts: every table dbt built in the working database's main schema."""
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'main' "
        "and table_type = 'BASE TABLE' order by table_name"
    ).fetchall()
    return [name for (name,) in rows]


def previous_path(target: Path) -> Path:
    """The warehouse published before the current one (citydip.previous.duckdb), for rollback."""
    return target.with_name(f"{target.stem}.previous{target.suffix}")


def remove_stale_staging(target: Path) -> None:
    """Delete `.citydip.duckdb.<pid>.new` files a killed publish left behind."""
    for stale in target.parent.glob(f".{target.name}.*.new*"):
        stale.unlink(missing_ok=True)


def publish(con: duckdb.DuckDBPyConnection, target: Path) -> dict[str, int]:
    """Copy the marts into a new file and swap it in atomically; return row counts.

    The file being replaced stays as citydip.previous.duckdb (a hard link, no copy), so an
    operator can roll back with one rename (docs/operations.md).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(target)
    staging = target.with_name(f".{target.name}.{os.getpid()}.new")
    counts: dict[str, int] = {}
    try:
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
        if target.exists():
            keep = target.with_name(f".{target.name}.{os.getpid()}.previous.new")
            os.link(target, keep)
            os.replace(keep, previous_path(target))
        os.replace(staging, target)
    except BaseException:
        remove_stale_staging(target)
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
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
