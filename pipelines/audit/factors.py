"""The uncertain inputs of the scorecard as Sobol factors: the choices int_sensitivity_draws_ranked
draws at random (docs/methodology.md, step 9), each one a factor of its own.

- the weight of every indicator scored that year and of every pillar: a multiplier uniform on
  [1 - weight_jitter, 1 + weight_jitter];
- the normalisation: min-max, z-score or rank, one third each;
- the imputation: the imputed values kept or dropped, one half each;
- the aggregation: arithmetic or geometric, one half each;
- the indicator left out: none or one of the K indicators scored that year, 1 / (K + 1) each.

A categorical factor is sampled as a uniform u on [0, 1) and takes level floor(n * u).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.audit.panel import Panel
from pipelines.audit.scorecard_model import AGGREGATIONS, IMPUTATIONS, NORMALISATIONS, Choices


@dataclass(frozen=True)
class Factor:
    name: str  # unique: "indicator_weight:gfci_rating", "normalisation", ...
    kind: str  # indicator_weight, pillar_weight, normalisation, imputation, aggregation,
    # indicator_left_out
    bounds: tuple[float, float]


def factors(panel: Panel, weight_jitter: float) -> list[Factor]:
    weight = (1 - weight_jitter, 1 + weight_jitter)
    return [
        *(Factor(f"indicator_weight:{i}", "indicator_weight", weight) for i in panel.indicators),
        *(Factor(f"pillar_weight:{p}", "pillar_weight", weight) for p in panel.pillars),
        *(
            Factor(kind, kind, (0.0, 1.0))
            for kind in ("normalisation", "imputation", "aggregation", "indicator_left_out")
        ),
    ]


def level(u: np.ndarray, levels: int) -> np.ndarray:
    """The level floor(levels * u) of a categorical factor sampled as u in [0, 1]."""
    return np.minimum(np.floor(levels * u), levels - 1).astype(int)


def choices(panel: Panel, sample: np.ndarray) -> Choices:
    """The method variants of a sample (M, factors) laid out as `factors(panel, ...)`."""
    k, p = len(panel.indicators), len(panel.pillars)
    normalisation, imputation, aggregation, left_out = sample[:, k + p :].T
    indicator_weights = panel.indicator_weights * sample[:, :k]
    out = level(left_out, k + 1)  # 0: none left out; i: the i-th indicator
    rows = np.flatnonzero(out > 0)
    indicator_weights[rows, out[rows] - 1] = 0.0
    return Choices(
        normalisation=level(normalisation, len(NORMALISATIONS)),
        imputation=level(imputation, len(IMPUTATIONS)),
        aggregation=level(aggregation, len(AGGREGATIONS)),
        indicator_weights=indicator_weights,
        pillar_weights=panel.pillar_weights * sample[:, k : k + p],
    )
