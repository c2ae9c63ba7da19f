"""The scorecard methodology (docs/methodology.md) on the shipped snapshots, end to end.

Three dbt invocations in all: one default `citydip refresh` (the session's shared one,
tests/published.py), then, on copies of its working database, dbt's unit tests with a rebuild of
the sensitivity models (same seed, same numbers), and a `dbt build` with the normalisation
switched by a var.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipelines.settings import DBT_PROJECT_DIR, load_settings
from tests.dbt.dbt_run import WITHOUT_AUDIT, copy_of_build_db, query, run_dbt

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def published(published_home: Path) -> Path:
    """The shared session warehouse (default dbt vars): read only, copied before dbt writes."""
    return published_home / "citydip.duckdb"


@pytest.fixture(scope="module")
def pillar_weights() -> dict[str, float]:
    with (DBT_PROJECT_DIR / "seeds" / "pillars.csv").open() as handle:
        return {row["pillar"]: float(row["weight"]) for row in csv.DictReader(handle)}


def test_contributions_sum_to_every_pillar_score(published):
    rows = query(
        published,
        """
        select p.city_id, p.year, p.pillar, p.score, sum(c.contribution_to_pillar), count(c.city_id)
        from scorecard_pillar as p
        left join scorecard_contribution as c using (city_id, year, pillar)
        where p.score is not null
        group by all
        """,
    )
    assert len(rows) > 9 * 2  # at least two scored pillars per city
    for city, year, pillar, score, total, indicators in rows:
        assert indicators > 0, (city, year, pillar)
        assert abs(total - score) < TOLERANCE, (city, year, pillar, score, total)


def test_contributions_sum_to_every_overall_score(published):
    rows = query(
        published,
        """
        select s.city_id, s.year, s.overall_score, sum(c.contribution_to_overall)
        from scorecard_city as s
        join scorecard_contribution as c using (city_id, year)
        where s.overall_score is not null
        group by all
        """,
    )
    assert rows
    for city, year, overall, total in rows:
        assert abs(total - overall) < TOLERANCE, (city, year, overall, total)


def test_overall_is_the_weighted_mean_of_the_pillar_scores(published, pillar_weights):
    """With at least min_pillars (3) pillar scores; with fewer the city is unranked."""
    pillars = query(
        published,
        "select city_id, year, pillar, score from scorecard_pillar where score is not null",
    )
    by_city: dict[tuple, list[tuple[str, float]]] = {}
    for city, year, pillar, score in pillars:
        by_city.setdefault((city, year), []).append((pillar, score))
    overall = dict(
        ((city, year), score)
        for city, year, score in query(
            published, "select city_id, year, overall_score from scorecard_city"
        )
    )
    enough = {key for key, scores in by_city.items() if len(scores) >= 3}
    assert enough == {key for key, score in overall.items() if score is not None}
    unranked = query(
        published,
        "select overall_missing_reason from scorecard_city where overall_score is null "
        "and pillars_scored > 0",
    )
    assert all("below min_pillars 3" in reason for (reason,) in unranked)
    for key in enough:
        scores = by_city[key]
        weights = sum(pillar_weights[p] for p, _ in scores)
        expected = sum(pillar_weights[p] * s for p, s in scores) / weights
        assert abs(overall[key] - expected) < TOLERANCE, (key, scores, overall[key])


def test_default_normalisation_is_min_max_of_the_treated_value(published):
    rows = query(
        published,
        """
        select s.year, s.indicator_id, s.treated_value, s.normalised_score, i.direction
        from scorecard_indicator as s join dim_indicator as i using (indicator_id)
        where s.treated_value is not null
        """,
    )
    groups: dict[tuple, list[tuple]] = {}
    for year, indicator, value, score, direction in rows:
        groups.setdefault((year, indicator), []).append((value, score, direction))
    for key, values in groups.items():
        lo = min(v for v, _, _ in values)
        hi = max(v for v, _, _ in values)
        for value, score, direction in values:
            if hi == lo:
                expected = 50.0
            elif direction == "lower":
                expected = 100 * (hi - value) / (hi - lo)
            else:
                expected = 100 * (value - lo) / (hi - lo)
            assert abs(score - expected) < TOLERANCE, (key, value, score, expected)


def test_every_city_has_a_latest_rank_and_a_rank_interval(published):
    rows = query(
        published,
        """
        select city_id, overall_rank, rank_p05, rank_median, rank_p95
        from scorecard_city
        where year = (  -- the newest year in which every city is scored
            select max(year) from (
                select year from scorecard_city group by year
                having count(overall_score) = count(*)
            )
        )
        """,
    )
    assert len(rows) == 9
    assert sorted(rank for _, rank, *_ in rows) == list(range(1, 10))
    for city, _, p05, median, p95 in rows:
        assert 1 <= p05 <= median <= p95 <= 9, city
    draws = query(published, "select distinct draws from scorecard_sensitivity")
    assert draws == [(500,)]
    # the weights really move: some rank is not the same in every draw
    assert any(p05 < p95 for *_, p05, _, p95 in rows)


def test_a_pillar_without_a_score_is_null_with_a_reason(published, pillar_weights):
    rows = query(published, "select pillar, score, score_missing_reason from scorecard_pillar")
    assert {pillar for pillar, _, _ in rows} == set(pillar_weights)
    assert all(reason for _, score, reason in rows if score is None)
    assert not any(reason for _, score, reason in rows if score is not None)


SENSITIVITY = ("int_sensitivity_draws_ranked", "int_sensitivity_ranks_summarised")


def unit_tests_declared() -> dict[str, dict]:
    from pipelines.defs.dbt_models import DBT_PROJECT

    return json.loads(DBT_PROJECT.manifest_path.read_text())["unit_tests"]


def unit_tested_models() -> list[str]:
    return sorted({test["model"] for test in unit_tests_declared().values()})


@pytest.fixture(scope="module")
def rebuilt(published, tmp_path_factory) -> tuple[Path, list[dict]]:
    """One dbt invocation on a copy of the working database: every dbt unit test (the method's
    SQL on small hand-computed cases; a refresh skips them, NOT_IN_A_REFRESH) and the
    sensitivity models rebuilt. The copy and dbt's run results."""
    scratch = tmp_path_factory.mktemp("rebuilt")
    build_db = copy_of_build_db(published, scratch)
    # `dbt build` runs a unit test only with its model: those models are rebuilt too
    selected = ["test_type:unit", *unit_tested_models(), *SENSITIVITY, "scorecard_sensitivity"]
    run_dbt(["build", "--select", *selected], build_db, scratch)
    return build_db, json.loads((scratch / "target" / "run_results.json").read_text())["results"]


def test_sensitivity_is_reproducible_with_the_same_seed(published, rebuilt):
    build_db, results = rebuilt
    rebuilt_models = {r["unique_id"].split(".")[-1] for r in results if r["status"] == "success"}
    assert {*SENSITIVITY, "scorecard_sensitivity"} <= rebuilt_models
    sql = "select * from scorecard_sensitivity order by year, city_id"
    assert query(build_db, sql) == query(published, sql)


def test_every_dbt_unit_test_passes(rebuilt):
    _, results = rebuilt
    ran = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(ran) == len(unit_tests_declared()) >= 10
    assert all(r["status"] == "pass" for r in ran), [r for r in ran if r["status"] != "pass"]


def test_a_refresh_builds_without_the_unit_tests(tmp_path):
    from pipelines.defs.dbt_models import dbt_build_args

    args = dbt_build_args(load_settings({"CITYDIP_HOME": str(tmp_path)}))
    assert args[0] == "build"
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"


def test_citydip_dbt_vars_are_passed_to_dbt(tmp_path):
    from pipelines.defs.dbt_models import BUILD_DB_VAR, dbt_build_args

    settings = load_settings(
        {"CITYDIP_HOME": str(tmp_path), "CITYDIP_DBT_VARS": '{"normalisation": "z_score"}'}
    )
    args = dbt_build_args(settings)
    passed = json.loads(args[args.index("--vars") + 1])
    assert passed == {"normalisation": "z_score", BUILD_DB_VAR: str(settings.build_db)}


@pytest.mark.e2e  # a whole dbt build of the scorecard with other vars
def test_z_score_normalisation_rebuilds_a_valid_scorecard(published, tmp_path):
    build_db = copy_of_build_db(published, tmp_path)
    # `dbt build` runs every model, unit test and data test; a failing test fails the build
    vars_ = json.dumps({"normalisation": "z_score"})
    run_dbt(["build", "--vars", vars_, *WITHOUT_AUDIT], build_db, tmp_path)
    latest = "(select max(year) from scorecard_city)"
    cities = query(build_db, f"select count(*) from scorecard_city where year = {latest}")
    assert cities == [(9,)]
    [(lo, hi)] = query(
        build_db, "select min(normalised_score), max(normalised_score) from scorecard_indicator"
    )
    # 50 + 50 z / 3 reaches 0 or 100 only beyond 3 sd, impossible with nine cities: not min-max
    assert 0 < lo < 50 < hi < 100
    [(worst_gap,)] = query(
        build_db,
        """
        select max(abs(p.score - c.total)) from scorecard_pillar as p
        join (select city_id, year, pillar, sum(contribution_to_pillar) as total
              from scorecard_contribution group by all) as c using (city_id, year, pillar)
        """,
    )
    assert worst_gap < TOLERANCE
    assert query(build_db, "select count(*) from scorecard_city") == query(
        published, "select count(*) from scorecard_city"
    )
