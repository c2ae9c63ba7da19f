"""The same dbt project on Apache Spark builds the same marts as on DuckDB (`make test-spark`).

The DuckDB side is the shared test warehouse (tests/published.py: `citydip refresh` from the
shipped snapshots, default dbt vars). Its raw observation tables are exported as Parquet
(pipelines/spark_export.py, as the load step does with CITYDIP_ENGINE=spark), then
`dbt build --target spark` runs the whole project on a local Spark (dbt-spark's `session`
method, local[2]) in its own folder, and every mart the Spark build writes (Parquet, read back
with DuckDB) must equal the DuckDB build's: the same columns in the same order, the same rows in
any order, floats within 1e-9 (absolute, or relative for values above 1).

Marked `spark` (needs the `spark` extra and Java 17): excluded from `make test` and
`make test-e2e`, run by `make test-spark`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import DBT_PROJECT_DIR
from pipelines.spark_export import export_raw_tables, import_spark_tables, spark_missing
from tests.conftest import citydip_in_process
from tests.published import Published
from tests.spark.compare import MARTS, VIEWS, differences, rows

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark_build(shared_warehouse: Published, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Spark build of the project from the shared warehouse's raw tables; its folder."""
    missing = spark_missing()
    assert missing is None, missing
    spark_dir = tmp_path_factory.mktemp("spark")
    build_db = shared_warehouse.home / "build" / "citydip_build.duckdb"
    with duckdb.connect(str(build_db), read_only=True) as con:
        assert len(export_raw_tables(con, spark_dir)) >= 20
    env = {
        **os.environ,
        "CITYDIP_ENGINE": "spark",
        "CITYDIP_SPARK_DIR": str(spark_dir),
        "CITYDIP_SPARK_MASTER": "local[2]",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--target",
            "spark",
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(spark_dir / "target"),
            "--log-path",
            str(spark_dir / "logs"),
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    results = spark_dir / "target" / "run_results.json"
    assert done.returncode == 0 and results.exists(), done.stdout[-6000:] + done.stderr[-3000:]
    return spark_dir


def test_every_node_of_the_spark_build_succeeds(spark_build: Path) -> None:
    results = json.loads((spark_build / "target" / "run_results.json").read_text())["results"]
    failed = [
        (r["unique_id"], r["status"]) for r in results if r["status"] not in ("success", "pass")
    ]
    assert not failed
    built = {r["unique_id"].split(".")[-1] for r in results if r["unique_id"].startswith("model.")}
    assert set(MARTS) | set(VIEWS) <= built


@pytest.mark.parametrize("mart", MARTS)
def test_the_spark_mart_equals_the_duckdb_mart(
    spark_build: Path, shared_warehouse: Published, mart: str
) -> None:
    build_db = shared_warehouse.home / "build" / "citydip_build.duckdb"
    files = spark_build / "warehouse" / "main.db" / mart
    assert files.is_dir(), f"no Spark table main.{mart} under {files.parent}"
    with duckdb.connect(str(build_db), read_only=True) as con:
        duck_columns, duck = rows(con, f"main.{mart}")
        spark_columns, spark = rows(con, f"read_parquet('{files}/*.parquet')")
        duck_types = con.execute(f"describe main.{mart}").fetchall()
        spark_types = con.execute(f"describe select * from read_parquet('{files}/*.parquet')")
        spark_types = spark_types.fetchall()
    assert spark_columns == duck_columns
    # DuckDB reads the Spark table's Parquet with the DuckDB mart's types: a warehouse published
    # from the Spark build has the same schema
    assert [(c[0], c[1]) for c in spark_types] == [(c[0], c[1]) for c in duck_types]
    assert duck, f"main.{mart} is empty on DuckDB: nothing compared"
    assert differences(duck_columns, duck, spark) == []


def test_a_warehouse_published_from_the_spark_marts_reads_like_the_duckdb_one(
    spark_build: Path, shared_warehouse: Published, tmp_path: Path
) -> None:
    """The Spark marts copied into (a copy of) the working database, then the publish step: the
    published warehouse's scorecard is the DuckDB-built one's, and `citydip query` reads it.
    (The audit's Python models stay those of the DuckDB build: Spark does not build them.)"""
    from pipelines.defs.publish import publish

    build_db = tmp_path / "citydip_build.duckdb"
    shutil.copy(shared_warehouse.home / "build" / "citydip_build.duckdb", build_db)
    home = tmp_path / "home"
    with duckdb.connect(str(build_db)) as con:
        counts = import_spark_tables(con, spark_build, list(MARTS))
        publish(con, home / "citydip.duckdb", {})
    assert all(counts.values())
    query = "select city_id, overall_rank from latest_scorecard order by all"
    with duckdb.connect(str(shared_warehouse.home / "citydip.duckdb"), read_only=True) as con:
        expected = con.execute(query).fetchall()
    with duckdb.connect(str(home / "citydip.duckdb"), read_only=True) as con:
        assert con.execute(query).fetchall() == expected
    done = citydip_in_process("query", query, "--format", "csv", env={"CITYDIP_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == len(expected) + 1


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_the_load_step_exports_its_table_as_parquet_with_the_spark_engine(
    engine: str, tmp_path: Path
) -> None:
    """CITYDIP_ENGINE=spark: a source's load step (raw/<source>_observations) writes its table
    into the working database and as Parquet where Spark's sources read it, the same rows; with
    the DuckDB engine no Parquet. A reload with nothing new writes it when it is missing."""
    import dagster as dg
    from dagster_duckdb import DuckDBResource

    from pipelines.defs.source_assets import build_source_assets
    from pipelines.settings import load_settings
    from sources import SOURCES

    settings = load_settings(
        {
            "CITYDIP_HOME": str(tmp_path / "home"),
            "DAGSTER_HOME": str(tmp_path / "dagster"),
            "CITYDIP_ENGINE": engine,
        }
    )
    build_db = tmp_path / "build.duckdb"
    payload, observations = build_source_assets(SOURCES["gfci"])
    resources = {"duckdb": DuckDBResource(database=str(build_db)), "settings": settings}
    instance = dg.DagsterInstance.ephemeral()
    assert dg.materialize([payload, observations], instance=instance, resources=resources).success
    parquet = settings.spark_dir / "raw" / "gfci_observations"
    if engine == "duckdb":
        assert not parquet.exists()
        return
    with duckdb.connect(str(build_db), read_only=True) as con:
        rows = con.execute("select count(*) from raw.gfci_observations").fetchone()[0]
        same = con.execute(
            "select count(*) from (from raw.gfci_observations "
            f"intersect all from read_parquet('{parquet}/*.parquet'))"
        ).fetchone()[0]
    assert rows > 0 and same == rows
    shutil.rmtree(parquet)
    assert dg.materialize([observations], instance=instance, resources=resources).success
    assert parquet.is_dir()  # the table was unchanged (no reload), the missing export is written
