"""The indicator registry (dbt_project/seeds/indicators.csv) as the sources and checks read it:
each indicator's unit and the bounds its values keep (docs/methodology.md, "Plausibility").

- `min_value`, `max_value`: hard. A value outside them is refused by the observation contract,
  so it is never loaded, and dbt never scores one (int_harmonise_observations).
- `integer`: the indicator counts whole things; a fraction is refused.
- `max_yearly_factor`, `max_revision_factor`: soft. A change between consecutive years, or
  between the previous load and this one for the same year, beyond the factor (either way) is a
  WARN check; empty where a ratio means nothing (net flows change sign).
- `hard_revision_factor`: hard. A value differing from the published value of the same
  indicator, geography and year beyond it blocks the load (the payload's blocking check
  `no_absurd_revision`); empty where a ratio means nothing.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

INDICATORS_SEED = (
    Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "indicators.csv"
)


@dataclass(frozen=True)
class Bounds:
    min_value: float
    max_value: float
    integer: bool
    max_yearly_factor: float  # NaN: not checked
    max_revision_factor: float  # NaN: not checked
    hard_revision_factor: float  # NaN: not checked


def _factor(text: str) -> float:
    return float(text) if text.strip() else math.nan


@cache
def indicator_bounds(path: Path = INDICATORS_SEED) -> dict[str, Bounds]:
    """Every indicator's bounds, by indicator id."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            row["indicator_id"]: Bounds(
                min_value=float(row["min_value"]),
                max_value=float(row["max_value"]),
                integer=row["integer"].strip().lower() == "true",
                max_yearly_factor=_factor(row["max_yearly_factor"]),
                max_revision_factor=_factor(row["max_revision_factor"]),
                hard_revision_factor=_factor(row.get("hard_revision_factor") or ""),
            )
            for row in csv.DictReader(handle)
        }
