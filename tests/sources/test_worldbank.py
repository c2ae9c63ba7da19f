"""World Bank client and parser against a real local HTTP server speaking the API's format."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from sources import worldbank
from sources.errors import SourceError
from sources.http import make_session


def page(series: str, rows: list[tuple[str, str, float | None]], page_no: int = 1, pages: int = 1):
    meta = {
        "page": page_no,
        "pages": pages,
        "per_page": 1000,
        "total": len(rows),
        "sourceid": "2",
        "lastupdated": "2026-07-01",
    }
    records = [
        {
            "indicator": {"id": series, "value": series},
            "country": {"id": iso[:2], "value": iso},
            "countryiso3code": iso,
            "date": year,
            "value": value,
            "unit": "",
            "obs_status": "",
            "decimal": 0,
        }
        for iso, year, value in rows
    ]
    return [meta, records]


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("CITYDIP_WORLDBANK_BASE_URL", httpserver.url_for("/v2"))
    monkeypatch.setenv("CITYDIP_HTTP_BACKOFF", "0")
    return httpserver


def serve_all_series(server: HTTPServer, skip: str | None = None) -> None:
    countries = ";".join(worldbank.country_codes())
    for series in worldbank.SERIES:
        if series == skip:
            continue
        server.expect_request(f"/v2/country/{countries}/indicator/{series}").respond_with_json(
            page(series, [("HKG", "2020", 1.0)])
        )


def test_snapshot_parses_into_the_observation_contract():
    frame = worldbank.SOURCE.observations(worldbank.SOURCE.snapshot())
    arrivals = frame[(frame.indicator_id == "tourism_arrivals") & (frame.geo_id == "HKG")]
    assert arrivals.set_index("period").loc[2018, "value"] == 65148000.0  # WDI 2025-12 vintage
    assert set(frame.geo_level) == {"country"}
    assert set(frame.indicator_id) == set(worldbank.INDICATORS)
    assert not frame.duplicated(["indicator_id", "geo_id", "period"]).any()


def test_live_fetch_follows_pages_and_loads_exactly_the_served_values(server: HTTPServer):
    countries = ";".join(worldbank.country_codes())
    path = f"/v2/country/{countries}/indicator/ST.INT.ARVL"
    server.expect_request(
        path, query_string={"format": "json", "date": "2010:2025", "per_page": "1000", "page": "1"}
    ).respond_with_json(
        page("ST.INT.ARVL", [("HKG", "2019", 55912609.0), ("SGP", "2019", None)], 1, 2)
    )
    server.expect_request(
        path, query_string={"format": "json", "date": "2010:2025", "per_page": "1000", "page": "2"}
    ).respond_with_json(page("ST.INT.ARVL", [("JPN", "2019", 31881000.0)], 2, 2))
    serve_all_series(server, skip="ST.INT.ARVL")
    payload = worldbank.SOURCE.fetch_live(make_session())
    frame = worldbank.SOURCE.observations(payload)
    arrivals = frame[frame.indicator_id == "tourism_arrivals"].set_index("geo_id")["value"]
    assert arrivals.to_dict() == {"HKG": 55912609.0, "JPN": 31881000.0}
    assert len(payload.parts) == len(worldbank.SERIES) + 1


def test_provider_error_message_with_status_200_names_source_url_and_field(server: HTTPServer):
    server.expect_request(
        f"/v2/country/{';'.join(worldbank.country_codes())}/indicator/ST.INT.ARVL"
    ).respond_with_json(
        [
            {
                "message": [
                    {
                        "id": "120",
                        "key": "Invalid value",
                        "value": "The provided parameter value is not valid",
                    }
                ]
            }
        ]
    )
    with pytest.raises(SourceError) as raised:
        worldbank.SOURCE.fetch_live(make_session())
    message = str(raised.value)
    assert "[worldbank]" in message and "Invalid value" in message
    assert "'message'" in message and server.url_for("/v2/country/") in message


def test_html_page_with_status_200_is_rejected(server: HTTPServer):
    server.expect_request(
        f"/v2/country/{';'.join(worldbank.country_codes())}/indicator/ST.INT.ARVL"
    ).respond_with_data("<html><body>Request Error</body></html>", content_type="text/html")
    with pytest.raises(SourceError, match="HTML page"):
        worldbank.SOURCE.fetch_live(make_session())


def test_server_error_is_retried_then_reported(server: HTTPServer):
    path = f"/v2/country/{';'.join(worldbank.country_codes())}/indicator/ST.INT.ARVL"
    server.expect_ordered_request(path).respond_with_data("busy", status=503)
    server.expect_ordered_request(path).respond_with_json(
        page("ST.INT.ARVL", [("HKG", "2019", 5.0)])
    )
    serve_all_series(server, skip="ST.INT.ARVL")
    frame = worldbank.SOURCE.observations(worldbank.SOURCE.fetch_live(make_session()))
    assert 5.0 in frame["value"].tolist()


def test_truncated_json_is_rejected(server: HTTPServer):
    body = json.dumps(page("ST.INT.ARVL", [("HKG", "2019", 1.0)]))[:-20]
    server.expect_request(
        f"/v2/country/{';'.join(worldbank.country_codes())}/indicator/ST.INT.ARVL"
    ).respond_with_data(body, content_type="application/json")
    with pytest.raises(SourceError, match="malformed or truncated JSON"):
        worldbank.SOURCE.fetch_live(make_session())
