"""Measure a command (wall, CPU, peak RSS) through bench.probe, and summarise samples."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


class BenchFailure(RuntimeError):
    pass


@dataclass(frozen=True)
class Sample:
    wall_s: float
    cpu_s: float
    peak_rss_mib: float


def measure(argv: list[str], env: dict[str, str], cwd: Path = REPO) -> Sample:
    """Run argv (with env added to this process's environment) and measure it."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.probe", *argv],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    if result["returncode"] != 0:
        raise BenchFailure(
            f"{' '.join(argv)} exited {result['returncode']}: {result['stderr_tail']}"
        )
    return Sample(result["wall_s"], result["cpu_s"], result["peak_rss_mib"])


@dataclass(frozen=True)
class Summary:
    runs: int
    wall_s: float  # median
    cpu_s: float  # median
    peak_rss_mib: float  # max
    walls: tuple[float, ...]

    @classmethod
    def of(cls, samples: list[Sample]) -> Summary:
        return cls(
            runs=len(samples),
            wall_s=statistics.median(s.wall_s for s in samples),
            cpu_s=statistics.median(s.cpu_s for s in samples),
            peak_rss_mib=max(s.peak_rss_mib for s in samples),
            walls=tuple(round(s.wall_s, 1) for s in samples),
        )


def same_scorecard(rows: int, unmatched: int, rank_mismatches: int, max_diff: float | None) -> bool:
    """A built scorecard equals the hand-written one: rows on both sides, every rank, scores
    within 1e-6."""
    return rows > 0 and unmatched == 0 and rank_mismatches == 0 and (max_diff or 0) < 1e-6
