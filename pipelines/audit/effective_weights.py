"""How much each component actually weighs in its aggregate, beside what it is meant to weigh.

The effective weight is the component's squared correlation with the aggregate, normalised over
the aggregate's components (the JRC's "effective weights": r squared is the share of the
aggregate's variance a linear fit on the component explains). The nominal weight is the seed
weight renormalised over the components scored that year.
"""

from __future__ import annotations

import pandas as pd


def effective_weights(correlations: pd.Series) -> pd.Series:
    """r squared over the sum of r squared of the same aggregate's components."""
    squared = correlations.astype(float) ** 2
    total = squared.sum()
    return squared / total if total > 0 else squared * float("nan")


def nominal_weights(weights: pd.Series) -> pd.Series:
    """The weights renormalised to sum to 1 over the components present."""
    return weights.astype(float) / weights.sum()
