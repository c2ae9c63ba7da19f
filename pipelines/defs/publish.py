"""Publish the marts to the read-only warehouse analysts open, by atomic rename.

What is published is declared once, in the dbt project: every model tagged `published` (the marts
and the analyst views over them, dbt_project.yml), read from the dbt manifest. Each mart of the
working database (build/) is written as a table into a new file beside citydip.duckdb (the
panel-sized marts are views there, so the panel is written once, here), the analyst views are
recreated over the copies, and the file then replaces citydip.duckdb with os.replace: a reader
holding the old file keeps a consistent snapshot, a new reader gets the new one, and nobody ever
sees a half-built table.
"""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.defs.dbt_models import DBT_PROJECT
from pipelines.defs.edition import describe_edition, effective_dbt_vars
from pipelines.defs.source_assets import WAREHOUSE_POOL
from pipelines.disk import naming_disk_full
from pipelines.editions.history import record_edition
from pipelines.settings import Settings
from pipelines.sql import sql_identifier, sql_literal

PUBLISHED_TAG = "published"
# The folder of the analyst views over the marts (models/views): views in the published file too
ANALYST_VIEWS_FOLDER = "views"


def published_nodes(manifest_path: Path = Path(DBT_PROJECT.manifest_path)) -> list[dict]:
    """The manifest's nodes of the dbt models tagged `published`: what the published warehouse
    holds."""
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    return [n for n in nodes if n["resource_type"] == "model" and PUBLISHED_TAG in n["tags"]]


_PUBLISHED = published_nodes()
MARTS = sorted(node["name"] for node in _PUBLISHED)
ANALYST_VIEWS = sorted(n["name"] for n in _PUBLISHED if n["fqn"][1] == ANALYST_VIEWS_FOLDER)


def main_relations(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """The working database's main schema: {name: a view's `create view` SQL, None for a table}."""
    rows = con.execute(
        "select table_name, null from duckdb_tables() "
        "where database_name = current_database() and schema_name = 'main' "
        "union all select view_name, sql from duckdb_views() "
        "where database_name = current_database() and schema_name = 'main' and not internal"
    ).fetchall()
    return dict(rows)


def published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The published models written as tables: every one dbt built but the analyst views,
    whether dbt stored it as a table or (a panel-sized mart) as a view over the method's models."""
    return sorted(
        name for name in main_relations(con) if name in MARTS and name not in ANALYST_VIEWS
    )


def published_views(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The analyst views dbt built: {name: `create view` SQL}.

    DuckDB keeps a view's SQL without the database name, and the analyst views select from marts
    only, so the same statement recreates each view over the published copies."""
    return {
        name: sql
        for name, sql in sorted(main_relations(con).items())
        if name in ANALYST_VIEWS and sql is not None
    }


def previous_path(target: Path) -> Path:
    """The warehouse published before the current one (citydip.previous.duckdb), for rollback."""
    return target.with_name(f"{target.stem}.previous{target.suffix}")


def remove_stale_staging(target: Path) -> None:
    """Delete `.citydip.duckdb.<pid>.new` files a killed publish left behind."""
    for stale in target.parent.glob(f".{target.name}.*.new*"):
        stale.unlink(missing_ok=True)


def publish(con: duckdb.DuckDBPyConnection, target: Path, dbt_vars: dict) -> dict[str, int]:
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
                counts[table] = con.execute(
                    f"select count(*) from publish_target.main.{name}"
                ).fetchone()[0]
        finally:
            con.execute("detach publish_target")
        with duckdb.connect(str(staging)) as edition:
            for view, sql in published_views(con).items():
                edition.execute(sql)
                counts[view] = edition.execute(
                    f"select count(*) from {sql_identifier(view)}"
                ).fetchone()[0]
            published_at = datetime.now(UTC)
            record_edition(edition, target, effective_dbt_vars(dbt_vars), published_at)
            describe_edition(
                edition,
                manifest_path=Path(DBT_PROJECT.manifest_path),
                dbt_vars=effective_dbt_vars(dbt_vars),
                published_at=published_at,
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
    description="citydip.duckdb: the dbt models tagged `published` (the marts and the views "
    "latest_scorecard and indicator_timeseries), copied from the working database and swapped in "
    "atomically once every blocking check passed, with `_citydip_meta` and the dbt docs as "
    "comments. Analysts and the cards read only this file.",
)
def published_warehouse(
    duckdb: DuckDBResource, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    with (
        naming_disk_full("publishing the warehouse", settings.published_db.parent),
        duckdb.get_connection() as con,
    ):
        counts = publish(con, settings.published_db, settings.dbt_vars)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(settings.published_db)),
            **{f"rows/{table}": n for table, n in counts.items()},
        }
    )
