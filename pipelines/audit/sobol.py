"""Variance-based sensitivity analysis with SALib: Saltelli's sampling scheme on a scrambled
Sobol sequence (`SALib.sample.sobol`) and the Sobol first-order and total-effect indices with
bootstrap confidence intervals (`SALib.analyze.sobol`). SALib is imported only here, when an
analysis runs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95


def problem(bounds: list[tuple[float, float]]) -> dict:
    return {
        "num_vars": len(bounds),
        "names": [f"x{i}" for i in range(len(bounds))],
        "bounds": [list(b) for b in bounds],
    }


def saltelli_sample(bounds: list[tuple[float, float]], base_samples: int, seed: int) -> np.ndarray:
    """N * (D + 2) points for D factors (first-order and total-effect indices only); N should
    be a power of two (the Sobol sequence's balance properties)."""
    from SALib.sample import sobol

    return sobol.sample(problem(bounds), base_samples, calc_second_order=False, seed=seed)


@dataclass(frozen=True)
class SobolIndices:
    """Per factor: first-order and total-effect index, each with the half-width of its
    bootstrap confidence interval (CONFIDENCE level)."""

    first_order: np.ndarray
    first_order_conf: np.ndarray
    total_order: np.ndarray
    total_order_conf: np.ndarray


def sobol_indices(
    bounds: list[tuple[float, float]], outputs: np.ndarray, resamples: int, seed: int
) -> SobolIndices | None:
    """The indices of one model output evaluated on `saltelli_sample(bounds, ...)`; None when
    the output never varies (there is no variance to apportion)."""
    if np.var(outputs) == 0:
        return None
    from SALib.analyze import sobol

    result = sobol.analyze(
        problem(bounds),
        np.asarray(outputs, dtype=float),
        calc_second_order=False,
        num_resamples=resamples,
        conf_level=CONFIDENCE,
        seed=seed,
    )
    return SobolIndices(result["S1"], result["S1_conf"], result["ST"], result["ST_conf"])
