"""dbt run by the tests against a copy of the shared warehouse's working database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines.settings import DBT_PROJECT_DIR

# The statistical audit (its Sobol sampling) is not what these builds test; tests/audit does.
WITHOUT_AUDIT = ("--exclude", "path:models/audit")


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def run_dbt(args: list[str], build_db: Path, scratch: Path) -> None:
    """dbt with the project's profile against `build_db`; target and logs kept in `scratch`."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(scratch / "target"),
            "--log-path",
            str(scratch / "logs"),
        ],
        env={**os.environ, "CITYDIP_BUILD_DB": str(build_db)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-5000:]


def copy_of_build_db(published: Path, tmp_path: Path) -> Path:
    """A copy of the working database the refresh built (raw tables loaded, marts built)."""
    copy = tmp_path / "build.duckdb"
    shutil.copy(published.parent / "build" / "citydip_build.duckdb", copy)
    return copy
