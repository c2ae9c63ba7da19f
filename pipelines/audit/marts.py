"""The scorecard marts the audit reads, as data frames (columns as in the warehouse)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Marts:
    indicators: pd.DataFrame  # scorecard_indicator
    pillars: pd.DataFrame  # scorecard_pillar
    cities: pd.DataFrame  # scorecard_city
    registry: pd.DataFrame  # dim_indicator
    pillar_registry: pd.DataFrame  # dim_pillar

    def years(self) -> list[int]:
        return sorted(int(y) for y in self.indicators["year"].unique())

    def pillar_order(self) -> list[str]:
        """Pillar keys in scorecard_city's column order (`<pillar>_score`), as every reader
        lists them; an order fixed by the SQL, so the Sobol factors are laid out the same way on
        every build."""
        return [
            column.removesuffix("_score")
            for column in self.cities.columns
            if column.endswith("_score") and column != "overall_score"
        ]

    def pillar_weights(self) -> pd.Series:
        return self.pillar_registry.set_index("pillar")["weight"].astype(float)[self.pillar_order()]
