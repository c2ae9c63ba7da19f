"""Benchmark 4: the real dbt models over a synthetic panel vs one hand-written DuckDB statement."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from bench.generate import FIRST_YEAR, Panel, load_raw, raw_tables, write_project
from bench.measure import REPO, VENV_BIN, Sample, Summary, measure, same_scorecard
from bench.spark_scale import SparkSample, run_on_spark

# The weight-sensitivity draws and the contribution breakdown, with what depends on them
# (scorecard_city joins the sensitivity ranks): built by a second `dbt run`, timed apart, because
# their cost grows with the number of draws as much as with the panel.
SENSITIVITY_SELECTION = ("int_sensitivity_draws_ranked+", "int_contributions_explained+")
# The statistical audit is not run at scale: its Sobol analysis evaluates the scorecard
# audit_sobol_samples * (factors + 2) times, sized for a comparison set of cities, not for
# thousands of synthetic ones (the refresh benchmark's audit row measures it).
WITHOUT_AUDIT = ("--exclude", "path:models/audit")
SENSITIVITY_DRAWS = 10

# The methodology steps the hand-written statement does not repeat are switched off, so both
# compute the same min-max arithmetic scorecard: no imputation (a complete panel has nothing to
# impute anyway) and no outlier treatment. Per-capita denominators do not apply (the synthetic
# registry names none); coverage_basis and min_pillar_coverage keep their defaults and the
# hand-written statement applies them.
COMPARABLE_VARS = {"imputation": "none", "outlier_treatment": "none"}


@dataclass(frozen=True)
class ScaleResult:
    panel: Panel
    dbt_run: Summary  # the median of `repeats` runs
    dbt_test: Sample | None
    handwritten: Summary
    sensitivity: Sample
    sensitivity_draws: int
    rows: int
    max_score_diff: float | None
    rank_mismatches: int
    unmatched: int
    defaults: Sample | None = None  # the core models again with the methodology's defaults
    # the sensitivity part with the methodology's defaults and the project's own draws: with
    # `defaults`, the full default method (imputation, outlier treatment, every draw)
    default_sensitivity: Sample | None = None
    default_draws: int | None = None
    spark: SparkSample | None = None  # the core models on local Spark, same panel and vars

    @property
    def ratio(self) -> float:
        return self.dbt_run.wall_s / self.handwritten.wall_s

    @property
    def agrees(self) -> bool:
        return same_scorecard(self.rows, self.unmatched, self.rank_mismatches, self.max_score_diff)


def run_scale(
    panel: Panel,
    workdir: Path,
    *,
    with_tests: bool,
    with_defaults: bool,
    sensitivity_draws: int = SENSITIVITY_DRAWS,
    with_spark: bool = False,
    repeats: int = 3,
) -> ScaleResult:
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
    settings = {**COMPARABLE_VARS, "first_year": FIRST_YEAR, "sensitivity_draws": sensitivity_draws}

    def args(variables: dict) -> list[str]:
        target = ["--target-path", str(workdir / "target")]
        return ["--profiles-dir", ".", *target, "--vars", json.dumps(variables), "--quiet"]

    common = args(settings)
    core = ["--exclude", *SENSITIVITY_SELECTION, "path:models/audit"]
    measure([*dbt, "seed", *common], env, cwd=project)  # set-up (and dbt's parse), not compared
    # the compared pair, `repeats` runs each (their medians): at the small sizes a run differs
    # from the next by a few tenths of a second, which moved a single run's marginal cost per
    # million by a quarter (bench/FINDINGS.md)
    dbt_run = Summary.of(
        [measure([*dbt, "run", *common, *core], env, cwd=project) for _ in range(repeats)]
    )
    hand = [sys.executable, "-m", "bench.handwritten", str(database), str(FIRST_YEAR)]
    handwritten = Summary.of([measure(hand, {}, REPO) for _ in range(repeats)])
    sensitivity = measure(
        [*dbt, "run", *common, "--select", *SENSITIVITY_SELECTION, *WITHOUT_AUDIT],
        env,
        cwd=project,
    )
    dbt_test = (
        measure([*dbt, "test", *common, *WITHOUT_AUDIT], env, cwd=project) if with_tests else None
    )
    rows, diff, ranks, unmatched = compare(database)
    # the full default method (imputation, outlier treatment, the project's sensitivity draws)
    # over the same models, timed as its own row; after the compared run, so that every size's
    # compared run is the first over the seeded database (run before it, the default method's
    # tables made the compared run at that size slower: bench/FINDINGS.md)
    defaults = default_sensitivity = None
    if with_defaults:
        defaults_vars = {"first_year": FIRST_YEAR}
        defaults = measure([*dbt, "run", *args(defaults_vars), *core], env, cwd=project)
        default_sensitivity = measure(
            [*dbt, "run", *args(defaults_vars), "--select", *SENSITIVITY_SELECTION, *WITHOUT_AUDIT],
            env,
            cwd=project,
        )
    spark = run_on_spark(project, database, workdir, common, core) if with_spark else None
    result = ScaleResult(
        panel,
        dbt_run,
        dbt_test,
        handwritten,
        sensitivity,
        sensitivity_draws,
        rows,
        diff,
        ranks,
        unmatched,
        defaults,
        default_sensitivity,
        project_var("sensitivity_draws") if with_defaults else None,
        spark,
    )
    database.unlink(missing_ok=True)  # up to a few GB at 30M observations
    return result


def project_var(name: str):
    """A var's default in dbt_project.yml (what a run without --vars uses)."""
    return yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())["vars"][name]


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
