"""The numpy scorecard model: each step against hand-computed values (the same cases as the dbt
unit tests of the SQL steps), and the method choices moving ranks the way they must."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipelines.audit.factors import choices, factors, level
from pipelines.audit.panel import Panel, year_panel
from pipelines.audit.scorecard_model import (
    Choices,
    aggregate,
    base_choices,
    normalise,
    overall_ranks,
)
from tests.audit.panel import marts

VALUES = np.array([[10.0], [20.0], [40.0], [np.nan]])
HIGHER = np.array([True])


def test_min_max_both_directions():
    assert normalise(VALUES, HIGHER, "min_max")[:, 0] == pytest.approx(
        [0, 100 / 3, 100, np.nan], nan_ok=True
    )
    assert normalise(VALUES, ~HIGHER, "min_max")[:3, 0] == pytest.approx([100, 200 / 3, 0])


def test_z_score_rescaled_and_clipped():
    # mean 70/3, sample sd sqrt(700/3); s = 50 + 50 z / 3
    sd = math.sqrt(700 / 3)
    expected = [50 + 50 * ((v - 70 / 3) / sd) / 3 for v in (10, 20, 40)]
    assert normalise(VALUES, HIGHER, "z_score")[:3, 0] == pytest.approx(expected)
    far = np.array([[0.0]] * 20 + [[1000.0]])
    assert normalise(far, HIGHER, "z_score").max() == 100.0


def test_rank_with_ties_averaged():
    tied = np.array([[10.0], [20.0], [20.0]])
    assert normalise(tied, HIGHER, "rank")[:, 0] == pytest.approx([0, 75, 75])


def test_no_spread_scores_fifty():
    flat = np.array([[5.0], [5.0], [np.nan]])
    for method in ("min_max", "z_score", "rank"):
        assert normalise(flat, HIGHER, method)[:2, 0] == pytest.approx([50, 50])


def test_aggregation_renormalises_over_the_scores_present():
    scores = np.array([[[50.0, np.nan, 100.0]]])
    weights = np.array([[1.0, 1.0, 2.0]])
    one_group = np.ones((3, 1))
    arithmetic = aggregate(scores, weights, one_group, np.array([False]))
    geometric = aggregate(scores, weights, one_group, np.array([True]))
    assert arithmetic[0, 0, 0] == pytest.approx(250 / 3)
    assert geometric[0, 0, 0] == pytest.approx(math.exp((math.log(51) + 2 * math.log(101)) / 3) - 1)
    assert np.isnan(aggregate(np.full((1, 1, 3), np.nan), weights, one_group, np.array([False])))


def test_the_base_case_gives_the_scorecards_ranks():
    panel = year_panel(marts(), 2025)
    assert panel.pillars == ["p1", "p2"]  # scorecard_city's column order, not the seed's
    base = overall_ranks(panel, base_choices(panel, "min_max", "arithmetic"))[0]
    assert list(base) == list(panel.ranks)


def two_cities(carried_forward: bool = False) -> Panel:
    """City a leads on x (weight 2), b on y (weight 1); one pillar."""
    return Panel(
        year=2025,
        cities=["a", "b"],
        indicators=["x", "y"],
        pillars=["p"],
        values=np.array([[10.0, 0.0], [0.0, 10.0]]),
        carried_forward=np.array([[carried_forward, False], [False, False]]),
        pillar_mean=np.zeros((2, 2), dtype=bool),
        higher_is_better=np.array([True, True]),
        indicator_pillar=np.array([0, 0]),
        indicator_weights=np.array([2.0, 1.0]),
        pillar_weights=np.array([1.0]),
        covered=np.ones((2, 1), dtype=bool),
        ranked=np.array([True, True]),
        ranks=np.array([1.0, 2.0]),
    )


def variant(panel: Panel, *, imputation=0, aggregation=0, weights=None) -> list[float]:
    chosen = Choices(
        normalisation=np.array([0]),
        imputation=np.array([imputation]),
        aggregation=np.array([aggregation]),
        indicator_weights=np.array([weights or list(panel.indicator_weights)]),
        pillar_weights=panel.pillar_weights[None, :],
    )
    return list(overall_ranks(panel, chosen)[0])


def test_each_method_choice_moves_the_ranks_as_it_must():
    panel = two_cities()
    assert variant(panel) == [1, 2]  # a: 200/3, b: 100/3
    assert variant(panel, weights=[0.0, 1.0]) == [2, 1]  # x left out
    assert variant(panel, weights=[1.0, 1.0]) == [1, 1]  # equal weights: a tie, shared
    assert variant(panel, aggregation=1) == [1, 2]  # geometric: 101^(2/3) - 1 vs 101^(1/3) - 1
    # a's x imputed: dropped, x has one value left (50 for b), a scores 0
    assert variant(two_cities(carried_forward=True), imputation=1) == [2, 1]
    assert variant(two_cities(carried_forward=True), imputation=0) == [1, 2]


def test_factors_map_the_unit_sample_to_the_uncertainty_analysis_choices():
    panel = two_cities()
    names = [f.name for f in factors(panel, 0.25)]
    assert names == [
        "indicator_weight:x",
        "indicator_weight:y",
        "pillar_weight:p",
        "normalisation",
        "imputation",
        "aggregation",
        "indicator_left_out",
    ]
    assert list(level(np.array([0.0, 0.34, 0.67, 1.0]), 3)) == [0, 1, 2, 2]
    sample = np.array(
        [
            [1.25, 0.75, 1.0, 0.0, 0.0, 0.0, 0.0],  # nothing left out
            [1.0, 1.0, 1.0, 0.5, 0.9, 0.9, 0.4],  # x left out (level 1 of 3)
            [1.0, 1.0, 1.0, 0.9, 0.1, 0.1, 0.99],  # y left out
        ]
    )
    chosen = choices(panel, sample)
    assert chosen.indicator_weights.tolist() == [[2.5, 0.75], [0.0, 1.0], [2.0, 0.0]]
    assert chosen.normalisation.tolist() == [0, 1, 2]
    assert chosen.imputation.tolist() == [0, 1, 0]
    assert chosen.aggregation.tolist() == [0, 1, 0]
