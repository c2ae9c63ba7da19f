"""Benchmark 4 on Apache Spark: the same dbt models over the same synthetic panel, on local Spark.

dbt-spark's `session` method (the `spark` target of dbt_project/profiles.yml: local[2], one JVM
started by the dbt process) runs the core models the DuckDB row times, with the same vars, over the
panel's raw tables exported as Parquet the way the load step exports them
(pipelines/spark_export.py). Spark's overall scores are compared with the hand-written DuckDB
statement's, row by row. Needs the `spark` extra and Java 17 (`make bench` installs the extra).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.measure import VENV_BIN, Sample, measure, same_scorecard
from pipelines.spark_export import export_raw_tables, spark_table_dir

# Spark's knobs for the panel: the driver holds everything in local mode, and the default two
# shuffle partitions (sized for the scorecard's few thousand rows) would make each task hold a
# tenth of the panel.
SPARK_SETTINGS = {
    "CITYDIP_SPARK_DRIVER_MEMORY": "2g",
    "CITYDIP_SPARK_SHUFFLE_PARTITIONS": "16",
}


@dataclass(frozen=True)
class SparkSample:
    seed: Sample
    dbt_run: Sample
    rows: int
    max_score_diff: float | None
    rank_mismatches: int
    unmatched: int

    @property
    def agrees(self) -> bool:
        return same_scorecard(self.rows, self.unmatched, self.rank_mismatches, self.max_score_diff)


def run_on_spark(
    project: Path, database: Path, workdir: Path, dbt_args: list[str], core: list[str]
) -> SparkSample:
    """Build the core models of `project` on local Spark from the raw tables of `database` (which
    also holds the hand-written scorecard, bench.handwritten_scorecard), and compare."""
    spark_dir = workdir / "spark"
    shutil.rmtree(spark_dir, ignore_errors=True)
    with duckdb.connect(str(database)) as con:
        export_raw_tables(con, spark_dir)
    env = {"CITYDIP_ENGINE": "spark", "CITYDIP_SPARK_DIR": str(spark_dir), **SPARK_SETTINGS}
    args = [*_with_spark_dir(dbt_args, spark_dir), "--target", "spark"]
    dbt = str(VENV_BIN / "dbt")
    seed = measure([dbt, "seed", *args], env, cwd=project)
    run = measure([dbt, "run", *args, *core], env, cwd=project)
    scores = spark_table_dir(spark_dir, "int_overall_scores_aggregated", "intermediate")
    with duckdb.connect(str(database), read_only=True) as con:
        rows, diff, ranks, unmatched = con.execute(
            """
            with spark as (select * from read_parquet(?) where overall_score is not null)
            select
                count(*),
                max(abs(s.overall_score - h.overall_score)),
                count(*) filter (where s.overall_rank <> h.overall_rank),
                count(*) filter (where s.city_id is null or h.city_id is null)
            from spark as s
            full join bench.handwritten_scorecard as h
                on s.city_id = h.city_id and s.year = h.year
            """,
            [str(scores / "*.parquet")],
        ).fetchone()
    shutil.rmtree(spark_dir, ignore_errors=True)  # the panel again, as Parquet, twice
    return SparkSample(seed, run, rows, diff, ranks, unmatched)


def _with_spark_dir(dbt_args: list[str], spark_dir: Path) -> list[str]:
    """dbt_args with the Spark folder added to its --vars (the profile reads citydip_spark_dir)
    and its own target path (its partial-parse state is the spark target's)."""
    args = list(dbt_args)
    at = args.index("--vars") + 1
    args[at] = json.dumps({**json.loads(args[at]), "citydip_spark_dir": str(spark_dir)})
    at = args.index("--target-path") + 1
    args[at] = str(spark_dir.parent / "target-spark")
    return args
