"""`citydip` starts fast: Dagster, dbt and the source libraries load only in commands that run them.

The import rule is checked exactly (unit); the start-up times are measured on this machine
against the targets of the CLI (e2e): `--help` under 0.5 s, `query` and `card` under 1.5 s,
the best of three runs (the first run also warms the OS file cache).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

# Each costs from a third of a second (pandas) to several seconds (dagster, dbt) to import.
HEAVY = ("dagster", "dagster_dbt", "dbt", "pandas", "pandera", "requests", "SALib", "numpy")


def test_the_cli_imports_no_heavy_library():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pipelines.cli.main; "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert loaded == []


def best_of_three(args: list[str], env: dict[str, str]) -> float:
    citydip = str(Path(sys.executable).parent / "citydip")
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([citydip, *args], env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "target"),
    [
        (["--help"], 0.5),
        (["query", "select city_id, overall_rank from latest_scorecard"], 1.5),
        (["card", "hong-kong"], 1.5),
    ],
    ids=["help", "query", "card"],
)
def test_start_up_meets_its_target(args, target, published_home):
    env = {**os.environ, "CITYDIP_HOME": str(published_home)}
    assert best_of_three(args, env) < target
