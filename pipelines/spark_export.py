"""CITYDIP_ENGINE=spark: the raw observations as Parquet, where Spark's dbt sources read them,
and the Spark-built tables back into DuckDB.

The load step (pipelines/defs/source_assets.py) still writes every `raw.<source>_observations`
table into the working DuckDB database (the plausibility checks and the history read it there);
with the Spark engine it also exports the table to `<spark_dir>/raw/<table>/part-0.parquet`, the
folder the dbt project's macro `register_raw_sources` makes an external Spark table of. Each
export is written beside the folder and swapped in by a rename, so a Spark run reads a whole
table, the previous or the new one.

The way back: Spark writes each table it builds as Parquet under `<spark_dir>/warehouse/<schema>.db/
<table>/`; `import_spark_tables` copies them into a DuckDB database with DuckDB's types (the same
as the DuckDB build's: `make test-spark` checks it), the step a Spark refresh needs before the
publish step copies the marts into the published warehouse.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import uuid
from pathlib import Path

import duckdb

RAW_SCHEMA = "raw"


def spark_missing() -> str | None:
    """Why a local Spark build cannot run here, or None: the `spark` extra (pyspark, dbt-spark)
    and a Java runtime. Looked up, not imported: importing pyspark costs seconds."""
    for module in ("pyspark", "dbt.adapters.spark"):
        if importlib.util.find_spec(module) is None:
            return f"the `spark` extra is not installed (no {module}): `uv sync --extra spark`"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no java on PATH: make test-deps installs openjdk-17-jre-headless"
    return None


def raw_parquet_dir(spark_dir: Path, table: str) -> Path:
    """The folder Spark reads raw.<table> from."""
    return spark_dir / RAW_SCHEMA / table


def export_raw_table(con: duckdb.DuckDBPyConnection, table: str, spark_dir: Path) -> Path:
    """Write raw.<table> of `con` as one Parquet file in its folder (replacing the folder)."""
    target = raw_parquet_dir(spark_dir, table)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{table}.{uuid.uuid4().hex[:8]}.new")
    staging.mkdir()
    try:
        con.execute(
            f'copy (select * from {RAW_SCHEMA}."{table}") to ? (format parquet)',
            [str(staging / "part-0.parquet")],
        )
        old = target.with_name(f".{table}.{uuid.uuid4().hex[:8]}.old")
        if target.exists():
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The observation tables of schema raw (not its bookkeeping, raw._loads)."""
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_name like '%\\_observations' escape '\\' "
        "order by table_name",
        [RAW_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def export_raw_tables(con: duckdb.DuckDBPyConnection, spark_dir: Path) -> list[Path]:
    """Every raw observation table of `con` as Parquet under `spark_dir`."""
    return [export_raw_table(con, table, spark_dir) for table in raw_tables(con)]


def spark_table_dir(spark_dir: Path, table: str, schema: str = "main") -> Path:
    """The folder of the Parquet files of a table the Spark build wrote (a managed table)."""
    return spark_dir / "warehouse" / f"{schema}.db" / table


def import_spark_tables(
    con: duckdb.DuckDBPyConnection, spark_dir: Path, tables: list[str], schema: str = "main"
) -> dict[str, int]:
    """Replace each of `tables` in `schema` of `con` with the Spark build's rows; row counts.

    A view of the same name goes first: a database the DuckDB engine built holds the
    panel-sized marts as views (dbt_project.yml), which Spark builds as tables."""
    counts = {}
    con.execute(f'create schema if not exists "{schema}"')
    views = {
        name
        for (name,) in con.execute(
            "select view_name from duckdb_views() "
            "where database_name = current_database() and schema_name = ?",
            [schema],
        ).fetchall()
    }
    for table in tables:
        files = spark_table_dir(spark_dir, table, schema)
        if not files.is_dir():
            raise FileNotFoundError(f"no Spark table {schema}.{table} in {files.parent}")
        if table in views:
            con.execute(f'drop view {schema}."{table}"')
        con.execute(
            f'create or replace table {schema}."{table}" as select * from read_parquet(?)',
            [str(files / "*.parquet")],
        )
        counts[table] = con.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]
    return counts
