"""Correlations, Cronbach's alpha, the first principal component and the effective weights
against values worked by hand on the small panel of tests/audit/panel.py."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipelines.audit.coherence import cronbach_alpha, first_component
from pipelines.audit.correlation import pairwise_correlations
from pipelines.audit.effective_weights import effective_weights, nominal_weights
from pipelines.audit.tables import coherence_table, correlation_table, effective_weight_table
from tests.audit.panel import X, Y, Z, marts

XYZ = pd.DataFrame({"x": X, "y": Y, "z": Z})


def test_pearson_correlations_worked_by_hand():
    # deviations from the mean 2.5: x (-1.5, -.5, .5, 1.5), y (-1.5, .5, -.5, 1.5),
    # z (-.5, -1.5, 1.5, .5); each sum of squares is 5
    r, cities = pairwise_correlations(XYZ)
    assert r.loc["x", "y"] == pytest.approx(4 / 5)
    assert r.loc["x", "z"] == pytest.approx(3 / 5)
    assert r.loc["y", "z"] == pytest.approx(0, abs=1e-12)
    assert cities.loc["x", "y"] == 4


def test_a_missing_value_costs_one_pair_not_the_city():
    values = pd.concat([XYZ, pd.DataFrame({"x": [9.0], "y": [np.nan], "z": [9.0]})])
    r, cities = pairwise_correlations(values.reset_index(drop=True))
    assert r.loc["x", "y"] == pytest.approx(4 / 5) and cities.loc["x", "y"] == 4
    assert cities.loc["x", "z"] == 5 and r.loc["x", "z"] != pytest.approx(3 / 5)


def test_cronbach_alpha_worked_by_hand():
    # variances 5/3 each, covariances xy 4/3, xz 1, yz 0: the matrix sums to 29/3, its trace 5
    assert cronbach_alpha(XYZ) == pytest.approx(3 / 2 * (1 - 5 / (29 / 3)))  # 21/29
    assert cronbach_alpha(XYZ[["x"]]) is None


def test_alpha_is_one_for_identical_components_and_negative_when_they_pull_apart():
    assert cronbach_alpha(pd.DataFrame({"a": X, "b": X})) == pytest.approx(1)
    # covariance -4/3, variances 5/3: 2 * (1 - (10/3) / (2/3))
    assert cronbach_alpha(pd.DataFrame({"a": X, "b": [4.0, 3.0, 1.0, 2.0]})) == pytest.approx(-8)
    # exact opposites sum to a constant: alpha is undefined
    assert cronbach_alpha(pd.DataFrame({"a": X, "b": X[::-1]})) is None


def test_first_component_worked_by_hand():
    # det(R - l I) = (1 - l)((1 - l)^2 - 1): eigenvalues 2, 1, 0; the first's vector (1, .8, .6)
    pc1 = first_component(XYZ)
    assert pc1.variance_share == pytest.approx(2 / 3)
    norm = math.sqrt(2)
    assert pc1.loadings == pytest.approx({"x": 1 / norm, "y": 0.8 / norm, "z": 0.6 / norm})


def test_effective_weights_worked_by_hand():
    # r of each with the sum x + y + z: (sum of its covariance row) / sqrt(var * 29/3), i.e.
    # 12, 9 and 8 over sqrt(145): squared and normalised 144, 81 and 64 over 289
    total = XYZ.sum(axis=1)
    r = XYZ.apply(lambda column: column.corr(total))
    assert r.to_dict() == pytest.approx({"x": 12 / 145**0.5, "y": 9 / 145**0.5, "z": 8 / 145**0.5})
    assert effective_weights(r).to_dict() == pytest.approx(
        {"x": 144 / 289, "y": 81 / 289, "z": 64 / 289}
    )
    assert nominal_weights(pd.Series({"a": 1.0, "b": 0.5, "c": 0.5})).to_dict() == {
        "a": 0.5,
        "b": 0.25,
        "c": 0.25,
    }


def flags(table: pd.DataFrame, a: str, b: str) -> dict:
    row = table[(table["component_a"] == a) & (table["component_b"] == b)].iloc[0]
    return {k: bool(row[k]) for k in ("is_negative_within_pillar", "is_collinear", "is_silent")}


def test_the_correlation_table_flags_negative_collinear_and_silent_pairs():
    table = correlation_table(marts(), collinear=0.92, silent=0.3)
    # v is x reversed, but in the other pillar: negative, not flagged
    assert flags(table, "x", "v") == {
        "is_negative_within_pillar": False,
        "is_collinear": False,
        "is_silent": False,
    }
    # v and w, one pillar: r = -0.6
    assert flags(table, "v", "w")["is_negative_within_pillar"]
    assert flags(table, "w", "v")["is_negative_within_pillar"]
    # x and y at 0.8: collinear only below the threshold
    assert not flags(table, "x", "y")["is_collinear"]
    assert flags(correlation_table(marts(), collinear=0.79, silent=0.3), "x", "y")["is_collinear"]
    # y and z with their pillar p1: 9 and 8 over sqrt(145), not silent; at 0.7 z is
    assert not flags(table, "z", "p1")["is_silent"]
    strict = correlation_table(marts(), collinear=0.92, silent=0.7)
    assert flags(strict, "z", "p1")["is_silent"] and flags(strict, "p1", "z")["is_silent"]
    assert not flags(strict, "x", "p1")["is_silent"]
    # every ordered pair once, both orders, components: 5 indicators, 2 pillars, overall
    assert len(table) == 8 * 7


def test_the_coherence_and_effective_weight_tables_carry_the_worked_values():
    coherence = coherence_table(marts()).set_index("aggregate")
    assert coherence.loc["p1", "cronbach_alpha"] == pytest.approx(21 / 29)
    assert coherence.loc["p1", "pc1_variance_share"] == pytest.approx(2 / 3)
    assert coherence.loc["overall", "components"] == 2
    weights = effective_weight_table(marts(), silent=0.3).set_index("component")
    assert weights.loc["x", "effective_weight_in_pillar"] == pytest.approx(144 / 289)
    assert weights.loc["z", "correlation_with_pillar"] == pytest.approx(8 / 145**0.5)
    assert weights.loc["x", "nominal_weight_in_pillar"] == pytest.approx(1 / 3)
    assert weights.loc["x", "nominal_weight_in_overall"] == pytest.approx(1 / 6)
    assert weights.loc["p1", "nominal_weight_in_overall"] == pytest.approx(1 / 2)
    assert list(weights["level"].unique()) == ["indicator", "pillar"]
