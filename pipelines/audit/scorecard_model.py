"""The scorecard's steps 4, 6, 7 and 8 (docs/methodology.md) in numpy, for many method choices
at once: normalise the treated values, drop or keep the imputed ones, aggregate with
renormalised weights, rank. The SQL models build the scorecard; this re-implementation only
evaluates the variants the sensitivity analysis samples, and its base case must give the
scorecard's ranks (a dbt test on audit_sobol and tests/audit check it).

As in the scorecard: a city's pillar is scored only where the scorecard covers it, the cities
ranked are the scorecard's, the normalisation runs over every city with a value, a score without
spread is 50, aggregates are clamped to 0-100 and ranks are shared on ties (overall scores
rounded to 1e-9, as int_sensitivity_draws_ranked does).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from pipelines.audit.panel import Panel

NORMALISATIONS = ("min_max", "z_score", "rank")
# "as_configured": the imputed values kept; "none": the imputed values dropped.
IMPUTATIONS = ("as_configured", "none")
AGGREGATIONS = ("arithmetic", "geometric")


@dataclass(frozen=True)
class Choices:
    """M method variants: an index into each tuple above, and the weights (0 = left out)."""

    normalisation: np.ndarray  # (M,) int
    imputation: np.ndarray  # (M,) int
    aggregation: np.ndarray  # (M,) int
    indicator_weights: np.ndarray  # (M, indicators)
    pillar_weights: np.ndarray  # (M, pillars)


def base_choices(panel: Panel, normalisation: str, aggregation: str) -> Choices:
    """The scorecard as configured: its normalisation and aggregation, the seed weights."""
    return Choices(
        normalisation=np.array([NORMALISATIONS.index(normalisation)]),
        imputation=np.array([0]),
        aggregation=np.array([AGGREGATIONS.index(aggregation)]),
        indicator_weights=panel.indicator_weights[None, :],
        pillar_weights=panel.pillar_weights[None, :],
    )


def normalise(values: np.ndarray, higher_is_better: np.ndarray, method: str) -> np.ndarray:
    """Each column (indicator) to 0-100 across the rows (cities) with a value, better higher."""
    sign = np.where(higher_is_better, 1.0, -1.0)
    goodness = values * sign
    n = np.sum(~np.isnan(values), axis=0)
    # columns with fewer than two values warn in nanstd/nanmin; they score 50 (or NaN) below
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanmin(goodness, axis=0), np.nanmax(goodness, axis=0)
        if method == "min_max":
            scores = 100 * (goodness - lo) / (hi - lo)
            flat = hi == lo
        elif method == "z_score":
            mean = np.nanmean(goodness, axis=0)
            sd = np.nanstd(goodness, axis=0, ddof=1)
            scores = np.clip(50 + 50 * (goodness - mean) / sd / 3, 0, 100)
            flat = (n < 2) | (sd == 0)
        elif method == "rank":
            ranks = rankdata(goodness, axis=0, method="average", nan_policy="omit")
            scores = 100 * (ranks - 1) / (n - 1)
            flat = (n < 2) | (hi == lo)
        else:
            raise ValueError(f"unknown normalisation {method!r}; expected one of {NORMALISATIONS}")
    return np.where(np.isnan(values), np.nan, np.where(flat, 50.0, scores))


def aggregate(
    scores: np.ndarray, weights: np.ndarray, membership: np.ndarray, geometric: np.ndarray
) -> np.ndarray:
    """Weighted means of scores (M, rows, parts) into groups (M, rows, groups), the weights
    (M, parts) renormalised over the parts with a score; arithmetic, or geometric
    (exp(sum w ln(1 + s)) - 1) where `geometric` (M,) is true. NaN where no part has a score."""
    present = ~np.isnan(scores)
    w = weights[:, None, :] * present
    s = np.where(present, scores, 0.0)
    total = w @ membership
    with np.errstate(invalid="ignore", divide="ignore"):
        arithmetic = (w * s) @ membership / total
        geometric_mean = np.exp((w * np.log1p(s)) @ membership / total) - 1
    result = np.where(geometric[:, None, None], geometric_mean, arithmetic)
    return np.where(total > 0, np.clip(result, 0.0, 100.0), np.nan)


def variant_scores(panel: Panel) -> np.ndarray:
    """The normalised scores of every (normalisation, imputation) pair, indexed
    normalisation * len(IMPUTATIONS) + imputation: (variants, cities, indicators)."""
    dropped = np.where(panel.carried_forward, np.nan, panel.values)
    return np.stack(
        [
            normalise(values, panel.higher_is_better, method)
            for method in NORMALISATIONS
            for values in (panel.values, dropped)
        ]
    )


def fill_pillar_means(
    scores: np.ndarray, panel: Panel, weights: np.ndarray, keep: np.ndarray
) -> np.ndarray:
    """Where the scorecard imputed by pillar mean (and `keep`, the imputed values are kept),
    the weighted mean of the city's other scores in the pillar (int_values_normalised)."""
    if not panel.pillar_mean.any():
        return scores
    means = aggregate(scores, weights, panel.membership, np.zeros(len(scores), dtype=bool))
    filled = means[:, :, panel.indicator_pillar]
    fill = panel.pillar_mean[None, :, :] & keep[:, None, None] & np.isnan(scores)
    return np.where(fill, filled, scores)


def overall_scores(panel: Panel, choices: Choices) -> np.ndarray:
    """(M, cities) overall score of each variant; NaN for the cities the scorecard leaves
    unranked."""
    variants = variant_scores(panel)
    index = choices.normalisation * len(IMPUTATIONS) + choices.imputation
    weights = choices.indicator_weights
    scores = variants[index]
    scores = np.where((weights > 0)[:, None, :], scores, np.nan)
    scores = fill_pillar_means(scores, panel, weights, choices.imputation == 0)
    geometric = choices.aggregation == AGGREGATIONS.index("geometric")
    pillars = aggregate(scores, weights, panel.membership, geometric)
    pillars = np.where(panel.covered[None, :, :], pillars, np.nan)
    everything = np.ones((len(panel.pillars), 1))
    overall = aggregate(pillars, choices.pillar_weights, everything, geometric)[:, :, 0]
    return np.where(panel.ranked[None, :], overall, np.nan)


def overall_ranks(panel: Panel, choices: Choices) -> np.ndarray:
    """(M, cities) rank of each ranked city in each variant (1 is best, ties share the best
    rank); NaN for unranked cities. A ranked city left with no score ranks last."""
    overall = np.round(overall_scores(panel, choices), 9)
    competing = np.where(panel.ranked[None, :], np.nan_to_num(overall, nan=-np.inf), np.nan)
    better = competing[:, None, :] > competing[:, :, None]
    ranks = 1.0 + better.sum(axis=2)
    return np.where(panel.ranked[None, :], ranks, np.nan)
