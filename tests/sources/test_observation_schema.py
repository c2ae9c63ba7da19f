"""The pandera schema rejects rows that break the observation contract."""

from __future__ import annotations

import pandas as pd
import pytest

from sources import curated, worldbank
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


def test_curated_snapshot_counts_qs_top100_per_city():
    frame = curated.SOURCE.observations(curated.SOURCE.snapshot())
    qs2025 = frame[(frame.indicator_id == "qs_top100_universities") & (frame.period == 2025)]
    counts = qs2025.set_index("geo_id")["value"].to_dict()
    assert counts["hong-kong"] == 5  # HKU, CUHK, HKUST, PolyU, CityU in QS 2025's top 100
    assert counts["dubai"] == 0
    assert len(counts) == 9


def test_curated_row_without_provenance_is_rejected():
    payload = curated.SOURCE.snapshot()
    part = payload.parts[0]
    lines = part.body.decode().splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("publisher")] = ""
    broken = type(part)(part.url, "\n".join([lines[0], ",".join(row)]).encode(), part.suffix)
    with pytest.raises(SourceError, match="no provenance"):
        curated.SOURCE.parse(type(payload)(payload.source_id, (broken,), payload.fetched_at))
