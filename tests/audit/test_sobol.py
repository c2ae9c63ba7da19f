"""Sobol indices: the Ishigami function's analytic indices recovered, a fixed seed giving the
same numbers, and the audit reusing its last indices when its inputs did not change."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pipelines.audit.tables as tables
from pipelines.audit.sobol import saltelli_sample, sobol_indices
from pipelines.audit.tables import SobolSettings, sobol_table
from tests.audit.panel import marts

A, B = 7.0, 0.1


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices() -> tuple[list[float], list[float]]:
    """Analytic first-order and total-effect indices (Ishigami and Homma 1990)."""
    pi4 = math.pi**4
    v1 = 0.5 * (1 + B * pi4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * math.pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return [v1 / total, v2 / total, 0.0], [(v1 + v13) / total, v2 / total, v13 / total]


def test_ishigami_indices_are_recovered():
    bounds = [(-math.pi, math.pi)] * 3
    sample = saltelli_sample(bounds, 1024, seed=20240101)
    assert sample.shape == (1024 * 5, 3)
    indices = sobol_indices(bounds, ishigami(sample), resamples=100, seed=20240101)
    first, total = ishigami_indices()
    assert first == pytest.approx([0.3139, 0.4424, 0.0], abs=1e-3)  # the textbook values
    assert indices.first_order == pytest.approx(first, abs=0.05)
    assert indices.total_order == pytest.approx(total, abs=0.05)
    assert (indices.first_order_conf > 0).all() and (indices.total_order_conf < 0.2).all()


def test_a_fixed_seed_gives_the_same_sample_and_indices():
    bounds = [(0.0, 1.0)] * 2
    first = saltelli_sample(bounds, 64, seed=7)
    assert np.array_equal(first, saltelli_sample(bounds, 64, seed=7))
    assert not np.array_equal(first, saltelli_sample(bounds, 64, seed=8))
    outputs = first[:, 0] + 0.1 * first[:, 1]
    one = sobol_indices(bounds, outputs, resamples=50, seed=7)
    two = sobol_indices(bounds, outputs, resamples=50, seed=7)
    assert np.array_equal(one.first_order_conf, two.first_order_conf)


def test_an_output_that_never_varies_has_no_indices():
    assert sobol_indices([(0.0, 1.0)], np.ones(8), resamples=10, seed=1) is None


SETTINGS = SobolSettings(
    base_samples=64,
    seed=20240101,
    resamples=20,
    weight_jitter=0.25,
    normalisation="min_max",
    aggregation="arithmetic",
)


def test_the_audit_table_covers_every_factor_and_city_and_reproduces_the_scorecard():
    table = sobol_table(marts(), SETTINGS, previous=None)
    factors = 5 + 2 + 4  # indicator weights, pillar weights, four method choices
    assert len(table) == factors * (4 + 1)  # four city ranks and the average rank shift
    assert (table["base_case_value"] == table["scorecard_value"]).all()
    assert (table["evaluations"] == 64 * (factors + 2)).all()
    shift = table[table["output"] == "average_rank_shift"]
    assert shift["city_id"].isna().all() and (shift["output_variance"] > 0).all()


def test_unchanged_inputs_reuse_the_last_indices_without_sampling(monkeypatch):
    first = sobol_table(marts(), SETTINGS, previous=None)

    def no_sampling(*args, **kwargs):
        raise AssertionError("sampled again although the inputs did not change")

    monkeypatch.setattr(tables, "saltelli_sample", no_sampling)
    again = sobol_table(marts(), SETTINGS, previous=first)
    assert again.equals(first)
    with pytest.raises(AssertionError, match="sampled again"):
        sobol_table(marts(), SobolSettings(**{**SETTINGS.__dict__, "seed": 1}), previous=first)
