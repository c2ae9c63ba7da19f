"""What a refresh leaves out of its Spark build, run after it on the same Spark folder by dbt's
programmatic API in one process (one Spark start): the published views (DuckDB views in a
refresh) and dbt's unit tests (never run by a refresh; `dbt build` runs a unit test only with its
model, hence `dbt test`).

Usage: python tests/spark/after_the_refresh.py DBT_PROJECT_DIR FOLDER (test_spark_parity.py;
CITYDIP_SPARK_DIR names the Spark folder). Each invocation writes its run_results.json under
FOLDER/<name>.
"""

from __future__ import annotations

import sys

from dbt.cli.main import dbtRunner

INVOCATIONS = (("views", "run", "path:models/views"), ("unit", "test", "test_type:unit"))


def main() -> None:
    project, folder = sys.argv[1:]
    runner = dbtRunner()
    for name, command, select in INVOCATIONS:
        done = runner.invoke(
            [
                command,
                "--target",
                "spark",
                "--select",
                select,
                "--profiles-dir",
                project,
                "--project-dir",
                project,
                "--target-path",
                f"{folder}/{name}",
                "--log-path",
                f"{folder}/logs",
            ]
        )
        if not done.success:
            sys.exit(f"dbt {command} --select {select} failed: {done.exception}")


if __name__ == "__main__":
    main()
