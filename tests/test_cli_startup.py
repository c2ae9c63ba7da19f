"""`citydip` starts fast: Dagster, dbt and the source libraries load only in commands that run them.

The import rule is checked exactly (unit); the start-up times are measured on this machine
against the targets of the CLI (e2e): `--help` under 0.5 s, `query` and `card` under 1.5 s of
CPU time, the best of three runs (the first run also warms the OS file cache).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
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
    """The least CPU time (user + system) of three runs of `citydip <args>`.

    CPU time, not wall time: the e2e tier runs beside another worker's refresh on a 2-core
    machine, which stretches wall time but not the work a start-up does."""
    citydip = str(Path(sys.executable).parent / "citydip")
    times = []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([citydip, *args], env=env, capture_output=True, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
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
    seconds = best_of_three(args, env)
    print(f"citydip {args[0]}: {seconds:.2f} s CPU (target {target} s)")
    assert seconds < target
