"""The audit marts of the default data, as the shared refresh published them: the numpy model
reproduces the scorecard, every pillar has its alpha, every ranked city its indices and its
strengths and weaknesses."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.audit.marts import Marts
from pipelines.audit.panel import year_panel
from pipelines.audit.scorecard_model import base_choices, overall_ranks
from pipelines.read.city_card import headline_year


@pytest.fixture(scope="module")
def con(published_home: Path):
    with duckdb.connect(str(published_home / "citydip.duckdb"), read_only=True) as con:
        yield con


def test_the_numpy_base_case_gives_the_scorecards_headline_ranks(con):
    marts = Marts(
        *(
            con.sql(f"select * from {table}").df()
            for table in (
                "scorecard_indicator",
                "scorecard_pillar",
                "scorecard_city",
                "dim_indicator",
                "dim_pillar",
            )
        )
    )
    panel = year_panel(marts, headline_year(con))
    base = overall_ranks(panel, base_choices(panel, "min_max", "arithmetic"))[0]
    assert panel.ranked.sum() == 9
    assert list(base[panel.ranked]) == list(panel.ranks[panel.ranked])


def test_every_pillar_of_the_headline_year_has_its_alpha_and_first_component(con):
    rows = con.execute(
        "select aggregate, cronbach_alpha, pc1_variance_share from audit_pillar_coherence "
        "where year = ?",
        [headline_year(con)],
    ).fetchall()
    pillars = {p for (p,) in con.execute("select pillar from dim_pillar").fetchall()}
    assert {aggregate for aggregate, _, _ in rows} == pillars | {"overall"}
    for _, alpha, share in rows:
        assert alpha is not None and alpha <= 1
        assert 0 < share <= 1


def test_the_sobol_indices_cover_every_ranked_city_and_every_kind_of_factor(con):
    year = headline_year(con)
    ranked = {
        c
        for (c,) in con.execute(
            "select city_id from scorecard_city where year = ? and overall_rank is not null", [year]
        ).fetchall()
    }
    cities = {
        c
        for (c,) in con.execute(
            "select distinct city_id from audit_sobol where year = ? and output = 'rank'", [year]
        ).fetchall()
    }
    assert cities == ranked
    kinds = {
        k
        for (k,) in con.execute(
            "select distinct factor_kind from audit_sobol where year = ?", [year]
        ).fetchall()
    }
    assert kinds == {
        "indicator_weight",
        "pillar_weight",
        "normalisation",
        "imputation",
        "aggregation",
        "indicator_left_out",
    }
    differing = con.execute(
        "select count(*) from audit_sobol where base_case_value <> scorecard_value"
    ).fetchone()[0]
    assert differing == 0
    # a total effect is at least the first-order effect, within their intervals
    assert not con.execute(
        "select count(*) from audit_sobol where total_order + total_order_conf "
        "< first_order - first_order_conf"
    ).fetchone()[0]


def test_each_ranked_city_has_three_strengths_ranked_above_its_three_weaknesses(con):
    rows = con.execute(
        "select city_id, kind, max(indicator_rank), min(indicator_rank), count(*) "
        "from audit_city_strengths where year = ? group by city_id, kind",
        [headline_year(con)],
    ).fetchall()
    by_city = {}
    for city, kind, worst, best, n in rows:
        assert n == 3
        by_city.setdefault(city, {})[kind] = (best, worst)
    assert len(by_city) == 9
    for standing in by_city.values():
        assert standing["strength"][1] <= standing["weakness"][0]
