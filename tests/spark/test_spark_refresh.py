"""`CITYDIP_ENGINE=spark citydip refresh` publishes the scorecard the DuckDB refresh publishes
(`make test-spark`).

Apart from test_spark_parity.py so that `make test-spark` runs the two Spark builds (this
refresh's and the parity test's `dbt build --target spark`) side by side, one per pytest-xdist
worker: a Spark build of this project is mostly Spark's per-query latency on a few thousand rows,
not CPU (one after the other, the tier took 62 s of CPU in 218 s).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.spark_export import spark_missing
from tests.conftest import citydip_in_process
from tests.published import Published, home_env
from tests.spark.compare import MARTS, VIEWS, differences, rows

pytestmark = pytest.mark.spark


def test_a_spark_refresh_publishes_the_duckdb_refreshs_scorecard(
    shared_warehouse: Published, tmp_path: Path
) -> None:
    """`CITYDIP_ENGINE=spark citydip refresh` on a fresh home: the models on Spark, the audit's
    Python models and the views on DuckDB over them; the published warehouse has every mart and
    view of the DuckDB refresh, equal."""
    missing = spark_missing()
    assert missing is None, missing
    env = {**home_env(tmp_path), "CITYDIP_ENGINE": "spark"}
    done = citydip_in_process("refresh", "--quiet", env=env)
    log = tmp_path / "home" / "build" / "refresh.log"
    assert done.returncode == 0, done.stdout + done.stderr + log.read_text()[-6000:]
    assert (tmp_path / "home" / "build" / "spark" / "warehouse" / "main.db" / "dim_city").is_dir()
    published = shared_warehouse.home / "citydip.duckdb"
    with duckdb.connect(str(tmp_path / "home" / "citydip.duckdb"), read_only=True) as con:
        con.execute(f"attach '{published}' as duck (read_only)")
        for table in (*MARTS, *VIEWS, "audit_correlation"):
            columns, spark = rows(con, f"main.{table}")
            duck_columns, duck = rows(con, f"duck.main.{table}")
            assert columns == duck_columns, table
            assert duck, f"{table} is empty"
            assert differences(columns, duck, spark) == [], table
