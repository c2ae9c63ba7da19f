"""One scorecard year's inputs as arrays, read from the marts: what the numpy scorecard model
(scorecard_model.py) needs to recompute the ranks under other method choices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.audit.marts import Marts


@dataclass(frozen=True)
class Panel:
    """Cities (rows) by scored indicators (columns) for one year.

    `values` are the treated values (after imputation and outlier treatment), NaN where missing;
    `carried_forward` marks the values imputed by last observation, `pillar_mean` the cells the
    scorecard filled with the pillar mean after normalisation (no treated value)."""

    year: int
    cities: list[str]
    indicators: list[str]
    pillars: list[str]
    values: np.ndarray  # (cities, indicators)
    carried_forward: np.ndarray  # (cities, indicators) bool
    pillar_mean: np.ndarray  # (cities, indicators) bool
    higher_is_better: np.ndarray  # (indicators,) bool
    indicator_pillar: np.ndarray  # (indicators,) index into pillars
    indicator_weights: np.ndarray  # (indicators,)
    pillar_weights: np.ndarray  # (pillars,)
    covered: np.ndarray  # (cities, pillars) bool: the scorecard scores the city's pillar
    ranked: np.ndarray  # (cities,) bool: the scorecard ranks the city
    ranks: np.ndarray  # (cities,) the scorecard's overall rank, NaN when unranked

    @property
    def membership(self) -> np.ndarray:
        """(indicators, pillars) 1 where the indicator belongs to the pillar."""
        return (self.indicator_pillar[:, None] == np.arange(len(self.pillars))).astype(float)


def year_panel(marts: Marts, year: int) -> Panel:
    """The panel of `year`: the cities of scorecard_city, the indicators scored that year."""
    scores = marts.indicators[marts.indicators["year"] == year]
    city_rows = marts.cities[marts.cities["year"] == year].sort_values("city_id")
    city_ids = list(city_rows["city_id"])
    indicator_ids = sorted(scores["indicator_id"].unique())
    pillar_ids = marts.pillar_order()

    def grid(column: str) -> pd.DataFrame:
        wide = scores.pivot(index="city_id", columns="indicator_id", values=column)
        return wide.reindex(index=city_ids, columns=indicator_ids)

    origin = grid("value_origin")
    meta = (
        scores.drop_duplicates("indicator_id")
        .set_index("indicator_id")
        .loc[indicator_ids, ["pillar", "weight"]]
    )
    direction = marts.registry.set_index("indicator_id").loc[indicator_ids, "direction"]
    pillars = marts.pillars
    scored = pillars[(pillars["year"] == year) & pillars["score"].notna()]
    covered = (
        pd.crosstab(scored["city_id"], scored["pillar"]).reindex(
            index=city_ids, columns=pillar_ids, fill_value=0
        )
        > 0
    )
    return Panel(
        year=year,
        cities=city_ids,
        indicators=indicator_ids,
        pillars=pillar_ids,
        values=grid("treated_value").to_numpy(dtype=float),
        carried_forward=(origin == "last_observation").to_numpy(),
        pillar_mean=(origin == "pillar_mean").to_numpy(),
        higher_is_better=(direction != "lower").to_numpy(),
        indicator_pillar=np.array([pillar_ids.index(p) for p in meta["pillar"]], dtype=int),
        indicator_weights=meta["weight"].to_numpy(dtype=float),
        pillar_weights=marts.pillar_weights().to_numpy(),
        covered=covered.to_numpy(),
        ranked=city_rows["overall_score"].notna().to_numpy(),
        ranks=city_rows["overall_rank"].to_numpy(dtype=float),
    )
