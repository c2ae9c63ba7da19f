"""The same dbt project on Apache Spark builds the same marts as on DuckDB (`make test-spark`).

The DuckDB side is the shared test warehouse (tests/published.py: `citydip refresh` from the
shipped snapshots, default dbt vars). The Spark side is ONE Spark build, shared by every test
here (a Spark build of this project costs about 200 s of CPU on two cores): `CITYDIP_ENGINE=spark
citydip refresh` on a fresh home, which exports the raw observation tables as Parquet
(pipelines/spark_export.py) and runs the models and their data tests on a local Spark (dbt-spark's
`session` method, local[2]), then what the refresh leaves out on the same Spark folder: the
published views and dbt's unit tests (after_the_refresh.py). Every mart the Spark build
writes (Parquet, read back with DuckDB) must equal the DuckDB build's: the same columns in the
same order, the same rows in any order, floats within 1e-9 (absolute, or relative for values
above 1); and the warehouse the Spark refresh publishes must equal the DuckDB refresh's.

Marked `spark` (needs the `spark` extra and Java 17): excluded from `make test` and
`make test-e2e`, run by `make test-spark`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.dbt_models import DUCKDB_ONLY
from pipelines.defs.publish import ANALYST_VIEWS
from pipelines.defs.publish import MARTS as PUBLISHED
from pipelines.settings import DBT_PROJECT_DIR, Settings, load_settings
from pipelines.spark_export import import_spark_tables, spark_missing
from tests.conftest import citydip_in_process
from tests.published import Published, home_env

pytestmark = pytest.mark.spark

# Every table of the published warehouse that Spark builds: publish's marts (read from the dbt
# manifest) but the views and what only DuckDB builds (the audit's Python models); and the views.
VIEWS = tuple(ANALYST_VIEWS)
MARTS = tuple(mart for mart in PUBLISHED if mart not in VIEWS and mart not in DUCKDB_ONLY)
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def spark_refresh(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """`CITYDIP_ENGINE=spark citydip refresh` on a fresh home: the models on Spark, the audit's
    Python models and the views on DuckDB over them; the settings it ran with (its folders)."""
    missing = spark_missing()
    assert missing is None, missing
    env = {**home_env(tmp_path_factory.mktemp("spark_refresh")), "CITYDIP_ENGINE": "spark"}
    done = citydip_in_process("refresh", "--quiet", env=env)
    settings = load_settings(env)
    log = settings.build_dir / "refresh.log"
    assert done.returncode == 0, done.stdout + done.stderr + log.read_text()[-6000:]
    return settings


AFTER_THE_REFRESH = Path(__file__).with_name("after_the_refresh.py")


@pytest.fixture(scope="module")
def spark_build(spark_refresh: Settings) -> Path:
    """The refresh's Spark folder, where the rest of the project is then built on Spark
    (after_the_refresh.py); the folder."""
    spark_dir = spark_refresh.spark_dir
    assert len(list((spark_dir / "raw").iterdir())) >= 20  # the raw tables the refresh exported
    env = {
        **os.environ,
        "CITYDIP_ENGINE": "spark",
        "CITYDIP_SPARK_DIR": str(spark_dir),
        "CITYDIP_SPARK_MASTER": "local[2]",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    done = subprocess.run(
        [sys.executable, str(AFTER_THE_REFRESH), str(DBT_PROJECT_DIR), str(spark_dir / "after")],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    return spark_dir


def test_every_node_of_the_spark_build_succeeds(spark_refresh: Settings, spark_build: Path) -> None:
    """Every node of the project, built on Spark by the refresh or after it, succeeded: every
    model, seed and data test, the views and the unit tests."""
    runs = (
        spark_refresh.build_dir / "dbt-spark",  # build_on_spark's target path
        spark_build / "after" / "views",
        spark_build / "after" / "unit",
    )
    results = [
        result
        for target in runs
        for result in json.loads((target / "run_results.json").read_text())["results"]
    ]
    failed = [
        (r["unique_id"], r["status"]) for r in results if r["status"] not in ("success", "pass")
    ]
    assert not failed
    ran = {r["unique_id"].split(".")[0] for r in results}
    assert {"seed", "model", "test", "unit_test"} <= ran
    built = {r["unique_id"].split(".")[-1] for r in results if r["unique_id"].startswith("model.")}
    assert set(MARTS) | set(VIEWS) <= built


def _rows(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[list[str], list[tuple]]:
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


def _differences(columns: list[str], duck: list[tuple], spark: list[tuple]) -> list[str]:
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


@pytest.mark.parametrize("mart", MARTS)
def test_the_spark_mart_equals_the_duckdb_mart(
    spark_build: Path, shared_warehouse: Published, mart: str
) -> None:
    build_db = shared_warehouse.home / "build" / "citydip_build.duckdb"
    files = spark_build / "warehouse" / "main.db" / mart
    assert files.is_dir(), f"no Spark table main.{mart} under {files.parent}"
    with duckdb.connect(str(build_db), read_only=True) as con:
        duck_columns, duck = _rows(con, f"main.{mart}")
        spark_columns, spark = _rows(con, f"read_parquet('{files}/*.parquet')")
        duck_types = con.execute(f"describe main.{mart}").fetchall()
        spark_types = con.execute(f"describe select * from read_parquet('{files}/*.parquet')")
        spark_types = spark_types.fetchall()
    assert spark_columns == duck_columns
    # DuckDB reads the Spark table's Parquet with the DuckDB mart's types: a warehouse published
    # from the Spark build has the same schema
    assert [(c[0], c[1]) for c in spark_types] == [(c[0], c[1]) for c in duck_types]
    assert duck, f"main.{mart} is empty on DuckDB: nothing compared"
    assert _differences(duck_columns, duck, spark) == []


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


def test_a_spark_refresh_publishes_the_duckdb_refreshs_scorecard(
    spark_refresh: Settings, shared_warehouse: Published
) -> None:
    """`CITYDIP_ENGINE=spark citydip refresh` on a fresh home: the models on Spark, the audit's
    Python models and the views on DuckDB over them; the published warehouse has every mart and
    view of the DuckDB refresh, equal."""
    assert (spark_refresh.spark_dir / "warehouse" / "main.db" / "dim_city").is_dir()
    published = shared_warehouse.home / "citydip.duckdb"
    with duckdb.connect(str(spark_refresh.published_db), read_only=True) as con:
        con.execute(f"attach '{published}' as duck (read_only)")
        for table in (*MARTS, *VIEWS, "audit_correlation"):
            columns, spark = _rows(con, f"main.{table}")
            duck_columns, duck = _rows(con, f"duck.main.{table}")
            assert columns == duck_columns, table
            assert duck, f"{table} is empty"
            assert _differences(columns, duck, spark) == [], table
