"""The pandera schema rejects rows that break the observation contract."""

from __future__ import annotations

import pandas as pd
import pytest

from sources import worldbank
from sources.errors import SourceError


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
