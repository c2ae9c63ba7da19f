"""Benchmark 4: the real dbt models over a synthetic panel vs one hand-written DuckDB statement."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.generate import DBT_PROJECT, FIRST_YEAR, Panel, load_raw, raw_tables, write_project
from bench.measure import REPO, VENV_BIN, Sample, measure

# Models another branch may add; built at the smallest size only, timed apart (their cost grows
# with their own draw count, not only with the panel).
OPTIONAL_MODELS = ("scorecard_sensitivity", "scorecard_contribution")


@dataclass(frozen=True)
class ScaleResult:
    panel: Panel
    dbt_run: Sample
    dbt_test: Sample | None
    handwritten: Sample
    optional: Sample | None
    optional_models: tuple[str, ...]
    rows: int
    max_score_diff: float | None
    rank_mismatches: int
    unmatched: int

    @property
    def ratio(self) -> float:
        return self.dbt_run.wall_s / self.handwritten.wall_s

    @property
    def agrees(self) -> bool:
        return (
            self.unmatched == 0 and self.rank_mismatches == 0 and (self.max_score_diff or 0) < 1e-6
        )


def models_in_project() -> set[str]:
    manifest = json.loads((DBT_PROJECT / "target" / "manifest.json").read_text())
    return {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def run_scale(panel: Panel, workdir: Path, *, with_tests: bool, with_optional: bool) -> ScaleResult:
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    tables = raw_tables()
    project = workdir / "project"
    database = workdir / "scale.duckdb"
    write_project(panel, project, tables)
    load_raw(panel, database, tables)
    env = {"CITYDIP_BUILD_DB": str(database)}
    dbt = [str(VENV_BIN / "dbt")]
    common = [
        "--profiles-dir",
        ".",
        "--target-path",
        str(workdir / "target"),
        "--vars",
        json.dumps({"first_year": FIRST_YEAR}),
        "--quiet",
    ]
    optional = tuple(m for m in OPTIONAL_MODELS if m in models_in_project())
    exclude = ["--exclude", *optional] if optional else []
    measure([*dbt, "seed", *common], env, cwd=project)  # set-up (and dbt's parse), not compared
    dbt_run = measure([*dbt, "run", *common, *exclude], env, cwd=project)
    handwritten = measure(
        [sys.executable, "-m", "bench.handwritten", str(database), str(FIRST_YEAR)], {}, REPO
    )
    dbt_test = measure([*dbt, "test", *common, *exclude], env, cwd=project) if with_tests else None
    optional_sample = None
    if optional and with_optional:
        optional_sample = measure([*dbt, "run", *common, "--select", *optional], env, cwd=project)
    rows, diff, ranks, unmatched = compare(database)
    result = ScaleResult(
        panel,
        dbt_run,
        dbt_test,
        handwritten,
        optional_sample,
        optional,
        rows,
        diff,
        ranks,
        unmatched,
    )
    database.unlink(missing_ok=True)  # up to a few GB at 30M observations
    return result


def compare(database: Path) -> tuple[int, float | None, int, int]:
    """dbt's scorecard_city against the hand-written one: rows, max score difference, rank
    mismatches, rows present on one side only."""
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            """
            select
                count(*),
                max(abs(d.overall_score - h.overall_score)),
                count(*) filter (where d.overall_rank <> h.overall_rank),
                count(*) filter (where d.city_id is null or h.city_id is null)
            from main.scorecard_city as d
            full join bench.handwritten_scorecard as h
                on d.city_id = h.city_id and d.year = h.year
            """
        ).fetchone()
