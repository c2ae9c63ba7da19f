"""The pandera schema rejects rows that break the observation contract."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from sources import worldbank
from sources.errors import SourceError
from sources.observation import (
    finite_number,
    json_document,
    observation_frame,
    observation_schema,
    whole_number,
)
from sources.payload import Part
from sources.registry import indicator_bounds
from tests.sources.faults import assert_names


@pytest.fixture
def good() -> tuple[pd.DataFrame, object]:
    payload = worldbank.SOURCE.snapshot()
    return worldbank.SOURCE.parse(payload), payload


def reject(frame: pd.DataFrame, payload, field: str) -> str:
    with pytest.raises(SourceError) as raised:
        worldbank.SOURCE.validate(frame, payload)
    assert field in (raised.value.field or "") or field in str(raised.value)
    assert "[worldbank]" in str(raised.value) and "api.worldbank.org" in str(raised.value)
    return str(raised.value)


def test_good_rows_pass(good):
    frame, payload = good
    assert len(worldbank.SOURCE.validate(frame, payload)) == len(frame)


def test_negative_value_is_rejected_where_impossible(good):
    frame, payload = good
    frame.loc[frame.indicator_id == "tourism_arrivals", "value"] = -1.0
    assert "negative" in reject(frame, payload, "negative")


def test_negative_fdi_is_accepted(good):
    frame, payload = good
    frame.loc[frame.indicator_id == "fdi_net_inflows", "value"] = -1.0
    worldbank.SOURCE.validate(frame, payload)


def test_unknown_country_code_is_rejected(good):
    frame, payload = good
    frame.loc[0, "geo_id"] = "XXX"
    reject(frame, payload, "geo_id")


def test_duplicate_keys_are_rejected(good):
    frame, payload = good
    assert "duplicate" in reject(pd.concat([frame, frame.head(1)]), payload, "duplicate")


def test_missing_column_is_rejected(good):
    frame, payload = good
    reject(frame.drop(columns=["unit"]), payload, "unit")


def test_wrong_unit_is_rejected(good):
    frame, payload = good
    frame.loc[frame.indicator_id == "population", "unit"] = "thousands"
    assert "unit" in reject(frame, payload, "unit")


def test_a_value_beyond_its_indicators_bound_is_refused_naming_the_row(good):
    """1e308 is finite and once passed the contract; dbt then failed every build on it."""
    frame, payload = good
    row = frame.index[frame.indicator_id == "market_capitalisation"][0]
    frame.loc[row, "value"] = 1e308
    message = reject(frame, payload, "value")
    key = frame.loc[row]
    assert "outside its indicator's min_value..max_value" in message
    assert f"market_capitalisation {key.geo_id} {key.period}=1e+308" in message


def test_the_bounds_are_the_registrys(good):
    frame, payload = good
    arrivals = frame.index[frame.indicator_id == "tourism_arrivals"][0]
    bound = indicator_bounds()["tourism_arrivals"].max_value
    frame.loc[arrivals, "value"] = bound
    worldbank.SOURCE.validate(frame, payload)  # the bound itself is plausible
    frame.loc[arrivals, "value"] = bound * 1.01
    reject(frame, payload, "value")


def test_a_negative_value_is_reported_once_as_negative(good):
    frame, payload = good
    frame.loc[frame.index[frame.indicator_id == "population"][0], "value"] = -1.0
    message = reject(frame, payload, "value")
    assert "negative value" in message and "outside" not in message


def test_a_fraction_of_a_count_is_refused(good):
    frame, payload = good
    frame.loc[frame.index[frame.indicator_id == "listed_domestic_companies"][0], "value"] = 2.5
    assert "fractional value" in reject(frame, payload, "value")
    frame, payload = worldbank.SOURCE.parse(payload), payload
    frame.loc[frame.index[frame.indicator_id == "air_passengers"][0], "value"] = 2.5
    worldbank.SOURCE.validate(frame, payload)  # persons are estimates: fractions allowed


def test_a_year_outside_the_years_the_source_asks_for_is_refused(good):
    frame, payload = good
    frame.loc[0, "period"] = worldbank.LAST_YEAR + 1
    reject(frame, payload, "period")


def test_every_indicator_of_a_source_must_be_registered():
    with pytest.raises(ValueError, match="not in dbt_project/seeds/indicators.csv"):
        observation_schema("demo", {"tourism_arrivals": "persons", "made_up": "count"})


@pytest.mark.parametrize(
    ("raw", "expected"), [(2019, 2019), ("2019", 2019), ("0", 0), (10**6, 10**6)]
)
def test_a_whole_number_is_an_integer_or_ascii_digits(raw, expected):
    assert whole_number(raw, "demo", "http://x/y", "refYear") == expected


@pytest.mark.parametrize(
    "raw", ["20x1", None, 2010.7, "２０１９", "1e6", True, "2019.0", " 2019", ""]
)
def test_anything_else_is_not_a_whole_number(raw):
    with pytest.raises(SourceError) as raised:
        whole_number(raw, "demo", "http://x/y", "refYear")
    assert_names(raised.value, "demo", "http://x/y", "refYear")
    assert repr(raw) in str(raised.value)


@pytest.mark.parametrize("raw", [12, 1.5, -3.0, 1e308])
def test_a_finite_json_number_is_a_float(raw):
    assert finite_number(raw, "demo", "http://x/y", "value") == float(raw)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (10**400, "is beyond a float's range"),
        (float("inf"), "infinite or not a number"),
        (float("nan"), "infinite or not a number"),
        ("55912609", "non-numeric"),
        (True, "non-numeric"),
        (None, "non-numeric"),
    ],
)
def test_other_values_are_refused_by_name(raw, problem):
    with pytest.raises(SourceError) as raised:
        finite_number(raw, "demo", "http://x/y", "value")
    assert_names(raised.value, "demo", "http://x/y", "value")
    assert problem in str(raised.value)
    assert len(str(raised.value)) < 200  # 10**400 is not printed in full


def test_a_json_key_twice_in_one_object_is_refused():
    part = Part("http://x/y", b'{"data": [{"refYear": 2019, "refYear": 2020}]}', "json")
    with pytest.raises(SourceError) as raised:
        json_document("demo", part)
    assert_names(raised.value, "demo", "http://x/y", "refYear")
    assert "appears twice" in str(raised.value)
    assert json_document("demo", Part("http://x/y", b'[{"a": 1}, {"a": 2}]', "json")) == [
        {"a": 1},
        {"a": 2},
    ]


def test_a_frame_with_a_fractional_year_names_the_field():
    """The last net, for a parser that passed a year on unread: no silent truncation."""
    payload = worldbank.SOURCE.snapshot()
    row = {"indicator_id": "population", "geo_id": "HKG", "geo_level": "country", "value": 1.0}
    with pytest.raises(SourceError) as raised:
        observation_frame([{**row, "period": 2010.7, "unit": "persons"}], payload)
    assert raised.value.field == "period" and "2010.7" in str(raised.value)
    with pytest.raises(SourceError) as raised:
        observation_frame([{**row, "period": 2010, "unit": "persons", "value": "x"}], payload)
    assert raised.value.field == "value"


def test_a_parser_error_nobody_foresaw_still_names_source_and_url():
    def parse(payload):
        return int(payload.parts[0].body.decode()[:3])  # ValueError on '[{"'

    source = dataclasses.replace(worldbank.SOURCE, parse=parse)
    with pytest.raises(SourceError) as raised:
        source.observations(worldbank.SOURCE.snapshot())
    assert "[worldbank] unreadable: ValueError" in str(raised.value)
    assert raised.value.field == "body" and "api.worldbank.org" in raised.value.url
