"""The audit marts, one function per table, computed from the scorecard marts of every year.

The dbt Python models in dbt_project/models/audit/ call these with the marts read as data
frames; the unit tests call them with a small hand-made panel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.audit.coherence import cronbach_alpha, first_component
from pipelines.audit.components import OVERALL, components
from pipelines.audit.correlation import is_collinear, is_silent, pairwise_correlations
from pipelines.audit.digest import inputs_digest
from pipelines.audit.effective_weights import effective_weights, nominal_weights
from pipelines.audit.factors import choices, factors
from pipelines.audit.marts import Marts
from pipelines.audit.panel import Panel, year_panel
from pipelines.audit.scorecard_model import base_choices, overall_ranks
from pipelines.audit.sobol import saltelli_sample, sobol_indices


def optional(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def correlation_table(marts: Marts, collinear: float, silent: float) -> pd.DataFrame:
    """audit_correlation: every ordered pair of components of a year, with the flags."""
    rows = []
    for year in marts.years():
        c = components(marts, year)
        r, cities = pairwise_correlations(c.values)
        for a in r.columns:
            for b in r.columns:
                if a == b:
                    continue
                value = optional(r.loc[a, b])
                same_pillar = (
                    a in c.pillar_of and b in c.pillar_of and c.pillar_of[a] == c.pillar_of[b]
                )
                part_and_aggregate = c.aggregate_of(a) == b or c.aggregate_of(b) == a
                rows.append(
                    {
                        "year": year,
                        "component_a": a,
                        "level_a": c.level(a),
                        "component_b": b,
                        "level_b": c.level(b),
                        "correlation": value,
                        "cities": int(cities.loc[a, b]),
                        "same_pillar": same_pillar,
                        "is_negative_within_pillar": same_pillar
                        and value is not None
                        and value < 0,
                        "is_collinear": same_pillar and is_collinear(value, collinear),
                        "is_silent": part_and_aggregate and is_silent(value, silent),
                    }
                )
    return pd.DataFrame(rows)


def coherence_table(marts: Marts) -> pd.DataFrame:
    """audit_pillar_coherence: Cronbach's alpha and the first principal component of every
    pillar (over its indicators) and of the overall score (over the pillars), per year."""
    rows = []
    for year in marts.years():
        c = components(marts, year)
        for aggregate in [*c.pillars, OVERALL]:
            parts = c.values[c.members(aggregate)]
            pc1 = first_component(parts)
            rows.append(
                {
                    "year": year,
                    "aggregate": aggregate,
                    "components": parts.shape[1],
                    "complete_cities": int(parts.notna().all(axis=1).sum()),
                    "cronbach_alpha": cronbach_alpha(parts),
                    "pc1_variance_share": pc1.variance_share if pc1 else None,
                }
            )
    return pd.DataFrame(rows)


def effective_weight_table(marts: Marts, silent: float) -> pd.DataFrame:
    """audit_effective_weight: per year, every indicator's and pillar's nominal and effective
    weight in its pillar and in the overall score, its correlations and its PC1 loading."""
    rows = []
    weights = marts.pillar_weights()
    for year in marts.years():
        c = components(marts, year)
        r, _ = pairwise_correlations(c.values)
        scores = marts.indicators[marts.indicators["year"] == year]
        indicator_weight = scores.drop_duplicates("indicator_id").set_index("indicator_id")[
            "weight"
        ]
        pillar_share = nominal_weights(weights[c.pillars])
        in_overall = effective_weights(r.loc[c.indicators, OVERALL])
        pillars_in_overall = effective_weights(r.loc[c.pillars, OVERALL])
        loadings = {}
        for aggregate in [*c.pillars, OVERALL]:
            pc1 = first_component(c.values[c.members(aggregate)])
            loadings.update(pc1.loadings if pc1 else {})
        for pillar in c.pillars:
            members = c.members(pillar)
            nominal = nominal_weights(indicator_weight[members])
            effective = effective_weights(r.loc[members, pillar])
            for i in members:
                rows.append(
                    {
                        "year": year,
                        "component": i,
                        "level": "indicator",
                        "pillar": pillar,
                        "nominal_weight_in_pillar": float(nominal[i]),
                        "effective_weight_in_pillar": optional(effective[i]),
                        "correlation_with_pillar": optional(r.loc[i, pillar]),
                        "nominal_weight_in_overall": float(nominal[i] * pillar_share[pillar]),
                        "effective_weight_in_overall": optional(in_overall[i]),
                        "correlation_with_overall": optional(r.loc[i, OVERALL]),
                        "pc1_loading": loadings.get(i),
                        "is_silent": is_silent(optional(r.loc[i, pillar]), silent),
                    }
                )
            rows.append(
                {
                    "year": year,
                    "component": pillar,
                    "level": "pillar",
                    "pillar": pillar,
                    "nominal_weight_in_pillar": None,
                    "effective_weight_in_pillar": None,
                    "correlation_with_pillar": None,
                    "nominal_weight_in_overall": float(pillar_share[pillar]),
                    "effective_weight_in_overall": optional(pillars_in_overall[pillar]),
                    "correlation_with_overall": optional(r.loc[pillar, OVERALL]),
                    "pc1_loading": loadings.get(pillar),
                    "is_silent": is_silent(optional(r.loc[pillar, OVERALL]), silent),
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class SobolSettings:
    """The sensitivity analysis's settings (dbt vars; docs/methodology.md)."""

    base_samples: int  # N: the Saltelli design evaluates N * (factors + 2) variants
    seed: int  # of the sample and of the bootstrap
    resamples: int  # bootstrap resamples for the confidence intervals
    weight_jitter: float  # the weight multipliers' half-range, as int_sensitivity_draws_ranked
    normalisation: str  # the scorecard's configured normalisation (the base case)
    aggregation: str  # and aggregation


AVERAGE_RANK_SHIFT = "average_rank_shift"
EVALUATIONS_PER_CHUNK = 2048


def sobol_table(
    marts: Marts, settings: SobolSettings, previous: pd.DataFrame | None
) -> pd.DataFrame:
    """audit_sobol: the Sobol indices of every factor on each ranked city's rank and on the
    average rank shift, per year with at least two ranked cities. A year whose inputs have the
    digest of a row in `previous` (the table's last build) reuses those rows."""
    parts = []
    for year in marts.years():
        panel = year_panel(marts, year)
        if panel.ranked.sum() < 2:
            continue
        digest = inputs_digest(panel, settings)
        if previous is not None and "inputs_sha256" in previous:
            kept = previous[(previous["year"] == year) & (previous["inputs_sha256"] == digest)]
            if len(kept):
                parts.append(kept)
                continue
        parts.append(year_sobol(panel, settings, digest))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def year_sobol(panel: Panel, settings: SobolSettings, digest: str) -> pd.DataFrame:
    uncertain = factors(panel, settings.weight_jitter)
    bounds = [f.bounds for f in uncertain]
    sample = saltelli_sample(bounds, settings.base_samples, settings.seed)
    # in chunks, so memory stays bounded (evaluations x cities x indicators) for many cities
    chunks = np.array_split(sample, max(1, len(sample) // EVALUATIONS_PER_CHUNK))
    ranks = np.concatenate([overall_ranks(panel, choices(panel, chunk)) for chunk in chunks])
    base = overall_ranks(panel, base_choices(panel, settings.normalisation, settings.aggregation))[
        0
    ]
    ranked = np.flatnonzero(panel.ranked)
    shift = np.abs(ranks[:, ranked] - panel.ranks[ranked]).mean(axis=1)
    outputs = [(AVERAGE_RANK_SHIFT, None, shift, 0.0, np.abs(base - panel.ranks)[ranked].mean())]
    outputs += [("rank", panel.cities[c], ranks[:, c], panel.ranks[c], base[c]) for c in ranked]
    rows = []
    for output, city, values, scorecard_value, base_value in outputs:
        indices = sobol_indices(bounds, values, settings.resamples, settings.seed)
        for n, factor in enumerate(uncertain):
            rows.append(
                {
                    "year": panel.year,
                    "output": output,
                    "city_id": city,
                    "factor": factor.name,
                    "factor_kind": factor.kind,
                    "first_order": float(indices.first_order[n]) if indices else None,
                    "first_order_conf": float(indices.first_order_conf[n]) if indices else None,
                    "total_order": float(indices.total_order[n]) if indices else None,
                    "total_order_conf": float(indices.total_order_conf[n]) if indices else None,
                    "scorecard_value": float(scorecard_value),
                    "base_case_value": float(base_value),
                    "output_mean": float(values.mean()),
                    "output_variance": float(values.var()),
                    "base_samples": settings.base_samples,
                    "evaluations": len(sample),
                    "seed": settings.seed,
                    "inputs_sha256": digest,
                }
            )
    return pd.DataFrame(rows)
