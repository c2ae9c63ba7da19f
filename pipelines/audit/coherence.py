"""Does an aggregate hang together? Cronbach's alpha and the first principal component of the
components it aggregates (indicators of a pillar, or pillars of the overall score)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.audit.correlation import MIN_CITIES


def cronbach_alpha(values: pd.DataFrame) -> float | None:
    """k / (k - 1) * (1 - sum of the variances / sum of the covariance matrix), covariances over
    pairwise complete rows (sample estimators). None with fewer than two components."""
    values = values.loc[:, values.count() >= MIN_CITIES]
    k = values.shape[1]
    if k < 2:
        return None
    covariance = values.cov(min_periods=MIN_CITIES).to_numpy()
    total = covariance.sum()
    if np.isnan(covariance).any() or total == 0:
        return None
    return float(k / (k - 1) * (1 - np.trace(covariance) / total))


@dataclass(frozen=True)
class FirstComponent:
    variance_share: float  # the first eigenvalue over the sum of the eigenvalues
    loadings: dict[str, float]  # the eigenvector, one weight per component (unit length)


def first_component(values: pd.DataFrame) -> FirstComponent | None:
    """PCA of the components' correlation matrix (pairwise complete rows; a component without
    spread is left out). The eigenvector's sign is chosen so its weights sum to a positive
    number. None with fewer than two components."""
    correlation = values.corr(min_periods=MIN_CITIES)
    usable = [c for c in correlation.columns if correlation[c].notna().all()]
    correlation = correlation.loc[usable, usable]
    if len(usable) < 2:
        return None
    eigenvalues, eigenvectors = np.linalg.eigh(correlation.to_numpy())
    vector = eigenvectors[:, -1]
    if vector.sum() < 0:
        vector = -vector
    return FirstComponent(
        variance_share=float(eigenvalues[-1] / eigenvalues.sum()),
        loadings=dict(zip(usable, map(float, vector), strict=True)),
    )
