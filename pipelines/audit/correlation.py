"""Correlations of the scorecard's components and the flags a statistical audit raises on them.

Pearson's r over the cities where both components have a value (pairwise complete observations,
as the JRC's COINr does), so one missing value costs one pair, not a whole city.
"""

from __future__ import annotations

import pandas as pd

# Fewer cities than this and a correlation is not computed.
MIN_CITIES = 3


def pairwise_correlations(values: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pearson's r of every pair of columns, and the number of rows both have a value in."""
    present = values.notna().astype(int)
    return values.corr(method="pearson", min_periods=MIN_CITIES), present.T @ present


def is_collinear(r: float | None, threshold: float) -> bool:
    """Two indicators of one pillar so alike that the pillar counts one thing twice."""
    return r is not None and abs(r) > threshold


def is_silent(r_with_aggregate: float | None, threshold: float) -> bool:
    """A component whose own aggregate hardly follows it: r below the threshold, or none."""
    return r_with_aggregate is None or r_with_aggregate < threshold
