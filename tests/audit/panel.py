"""A small hand-made scorecard year for the audit's tests: four cities, one pillar of three
indicators x, y, z whose statistics are worked by hand in the tests, and a second pillar."""

from __future__ import annotations

import pandas as pd

from pipelines.audit.marts import Marts

CITIES = ["a", "b", "c", "d"]
# x, y, z: r(x, y) = 4/5, r(x, z) = 3/5, r(y, z) = 0 (deviations from 2.5 worked by hand)
X = [1.0, 2.0, 3.0, 4.0]
Y = [1.0, 3.0, 2.0, 4.0]
Z = [2.0, 1.0, 4.0, 3.0]
# w: the second pillar's indicators, v the exact opposite of x
V = [4.0, 3.0, 2.0, 1.0]
W = [1.0, 2.0, 4.0, 3.0]


def marts(year: int = 2025) -> Marts:
    """The panel as the marts: scores are the values (their correlations are the same),
    pillar scores the equal-weight means, the overall score the mean of the pillars."""
    columns = {"x": ("p1", X), "y": ("p1", Y), "z": ("p1", Z), "v": ("p2", V), "w": ("p2", W)}
    indicators = pd.DataFrame(
        [
            {
                "year": year,
                "city_id": city,
                "indicator_id": indicator,
                "pillar": pillar,
                "normalised_score": values[n],
                "treated_value": values[n],
                "weight": 1.0,
                "value_origin": "observed",
            }
            for indicator, (pillar, values) in columns.items()
            for n, city in enumerate(CITIES)
        ]
    )
    p1 = [(X[n] + Y[n] + Z[n]) / 3 for n in range(4)]
    p2 = [(V[n] + W[n]) / 2 for n in range(4)]
    pillars = pd.DataFrame(
        [
            {"year": year, "city_id": city, "pillar": pillar, "score": scores[n]}
            for pillar, scores in (("p1", p1), ("p2", p2))
            for n, city in enumerate(CITIES)
        ]
    )
    overall = [(p1[n] + p2[n]) / 2 for n in range(4)]
    order = sorted(range(4), key=lambda n: -overall[n])
    cities = pd.DataFrame(
        {
            "year": year,
            "city_id": CITIES,
            "overall_score": overall,
            "p1_score": p1,
            "p2_score": p2,
            "overall_rank": [order.index(n) + 1 for n in range(4)],
        }
    )
    registry = pd.DataFrame({"indicator_id": list(columns), "direction": "higher"})
    return Marts(
        indicators=indicators,
        pillars=pillars,
        cities=cities,
        registry=registry,
        pillar_registry=pd.DataFrame({"pillar": ["p2", "p1"], "weight": [1.0, 1.0]}),
    )
