"""A year's components for the coherence statistics: the indicator scores, the pillar scores
and the overall score as columns, one row per city."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipelines.audit.marts import Marts

OVERALL = "overall"


@dataclass(frozen=True)
class Components:
    """One year's components as columns (indicators, then pillars, then the overall score),
    cities as rows; `pillar_of` maps an indicator to its pillar."""

    values: pd.DataFrame
    indicators: list[str]
    pillars: list[str]
    pillar_of: dict[str, str]

    def level(self, name: str) -> str:
        if name == OVERALL:
            return OVERALL
        return "indicator" if name in self.pillar_of else "pillar"

    def aggregate_of(self, name: str) -> str:
        """The aggregate a component is a part of: its pillar, or the overall score."""
        return self.pillar_of.get(name, OVERALL)

    def members(self, aggregate: str) -> list[str]:
        if aggregate == OVERALL:
            return self.pillars
        return [i for i in self.indicators if self.pillar_of[i] == aggregate]


def components(marts: Marts, year: int) -> Components:
    """The components of `year`: the indicators scored that year by pillar, then by id."""
    scores = marts.indicators[marts.indicators["year"] == year]
    order = {p: n for n, p in enumerate(marts.pillar_order())}
    pillar_of = dict(zip(scores["indicator_id"], scores["pillar"], strict=True))
    indicators = sorted(pillar_of, key=lambda i: (order[pillar_of[i]], i))
    pillars = [p for p in marts.pillar_order() if p in set(pillar_of.values())]
    wide = [
        scores.pivot(index="city_id", columns="indicator_id", values="normalised_score"),
        marts.pillars[marts.pillars["year"] == year].pivot(
            index="city_id", columns="pillar", values="score"
        ),
        marts.cities[marts.cities["year"] == year]
        .set_index("city_id")["overall_score"]
        .rename(OVERALL),
    ]
    values = pd.concat(wide, axis=1).reindex(columns=[*indicators, *pillars, OVERALL])
    return Components(
        values=values.astype(float).sort_index(),
        indicators=indicators,
        pillars=pillars,
        pillar_of=pillar_of,
    )
