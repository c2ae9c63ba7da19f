"""The attribution of a change between two editions (pipelines/editions/attribution.py) on the
audit's hand-made panel: each cause is recognised, and the parts sum exactly to the change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipelines.editions.attribution import CAUSES, Edition, attribute
from tests.audit.panel import marts

VARS = {"normalisation": "min_max", "aggregation": "arithmetic"}


def edition(edition_id: int, changes=(), weights=None, vars_=VARS) -> Edition:
    m = marts()
    indicators = m.indicators.assign(raw_value=m.indicators["treated_value"], data_year=2025)
    indicators.loc[
        (indicators["city_id"] == "b") & (indicators["indicator_id"] == "y"), "data_year"
    ] = 2024
    for city, indicator, value, year in changes:
        row = (indicators["city_id"] == city) & (indicators["indicator_id"] == indicator)
        indicators.loc[row, ["raw_value", "treated_value", "data_year"]] = [value, value, year]
    for indicator, weight in (weights or {}).items():
        indicators.loc[indicators["indicator_id"] == indicator, "weight"] = weight
    return Edition(edition_id, replace(m, indicators=indicators), vars_)


CASES = {
    "revisions": [("a", "x", 9.0, 2025)],  # same data year, another value
    "new_data": [("b", "y", 9.0, 2025)],  # a newer data year
}


@pytest.mark.parametrize("cause", ["revisions", "new_data", "method"])
def test_one_cause_takes_the_whole_change(cause):
    newer = edition(2, weights={"z": 5.0}) if cause == "method" else edition(2, CASES[cause])
    rows, items = attribute(edition(1), newer)
    scores = rows[rows["measure"] == "overall_score"]
    assert (scores["model_change"].abs() > 1e-6).any()
    for record in scores.to_dict("records"):
        assert record[cause] == pytest.approx(record["model_change"], abs=1e-12)
        for other in CAUSES:
            if other != cause:
                assert record[other] == 0
    assert set(items["cause"]) == {cause}


def test_the_parts_of_mixed_causes_sum_exactly_to_the_change():
    newer = edition(2, CASES["revisions"] + CASES["new_data"], weights={"z": 5.0})
    rows, items = attribute(edition(1), newer)
    for record in rows.to_dict("records"):
        parts = sum(record[c] for c in CAUSES)
        assert parts == pytest.approx(record["model_change"], abs=1e-9)
        mine = items[
            (items["city_id"] == record["city_id"]) & (items["measure"] == record["measure"])
        ]
        assert mine["part"].sum() == pytest.approx(record["model_change"], abs=1e-9)
    assert set(items["cause"]) == {"revisions", "new_data", "method"}


def test_a_changed_normalisation_is_method():
    rows, items = attribute(edition(1), edition(2, vars_={**VARS, "normalisation": "z_score"}))
    assert set(items["item"]) == {"method:normalisation"}
    assert (rows["method"] == rows["model_change"]).all()
