"""UN Comtrade client and parser against a local server speaking the API v1 format."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from sources import comtrade
from sources.errors import SourceError
from sources.http import make_session
from tests.sources.faults import assert_names

PREVIEW = "/public/v1/preview/C/A/HS"
SUBSCRIPTION = "/data/v1/get/C/A/HS"


def record(partner: int = 344, flow: str = "X", year: int = 2023, value=1.5e9, **changes) -> dict:
    """One record as the API returns it (trimmed of the quantity fields)."""
    row = {
        "typeCode": "C",
        "freqCode": "A",
        "refPeriodId": int(f"{year}0101"),
        "refYear": year,
        "refMonth": 52,
        "period": str(year),
        "reporterCode": 156,
        "reporterISO": "CHN",
        "reporterDesc": "China",
        "flowCode": flow,
        "flowDesc": "Export" if flow == "X" else "Import",
        "partnerCode": partner,
        "partnerISO": None,
        "partnerDesc": None,
        "partner2Code": 0,
        "classificationCode": "H6",
        "cmdCode": "TOTAL",
        "customsCode": "C00",
        "motCode": 0,
        "netWgt": 0,
        "fobvalue": value,
        "cifvalue": None,
        "primaryValue": value,
        "isReported": False,
        "isAggregate": True,
        "legacyEstimationFlag": 4,
    }
    row.update(changes)
    return row


def body(*records: dict, error: str = "") -> dict:
    return {
        "elapsedTime": "2.06 secs",
        "count": len(records),
        "data": list(records),
        "error": error,
    }


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("CITYDIP_COMTRADE_BASE_URL", httpserver.url_for("/"))
    monkeypatch.delenv(comtrade.KEY_ENV, raising=False)
    return httpserver


def load() -> object:
    return comtrade.SOURCE.observations(
        comtrade.SOURCE.fetch_live(make_session(retries=1, backoff=0))
    )


def test_snapshot_holds_the_summed_extract():
    frame = comtrade.SOURCE.observations(comtrade.SOURCE.snapshot())
    hk = frame[(frame.geo_id == "HKG") & (frame.period == 2018)].set_index("indicator_id")
    # China's 2018 exports to Hong Kong: the sum of the extract's SITC Rev.4 divisions
    assert hk.loc["goods_imports_from_china", "value"] == 302960300756.0
    assert set(frame.geo_id) == {"HKG", "USA", "JPN", "KOR", "FRA"}
    assert frame.period.min() == 2010 and frame.period.max() == 2018


def test_preview_query_loads_exactly_the_served_values(server: HTTPServer):
    server.expect_request(
        PREVIEW,
        query_string={
            "reporterCode": "156",
            "partnerCode": "344,702,392,410,826,251,842,784",
            "partner2Code": "0",
            "period": ",".join(str(y) for y in range(2010, 2025)),
            "flowCode": "X,M",
            "cmdCode": "TOTAL",
            "customsCode": "C00",
            "motCode": "0",
            "includeDesc": "true",
        },
    ).respond_with_json(
        body(
            record(344, "X", 2023, 272_000_000_000),
            record(344, "M", 2023, 12_500_000_000),
            record(251, "X", 2023, 41_000_000_000),
            record(842, "X", 2023, 500_000_000_000, cmdCode="01"),  # not a total: ignored
        )
    )
    frame = load()
    got = {(r.indicator_id, r.geo_id, r.period): r.value for r in frame.itertuples()}
    assert got == {
        ("goods_imports_from_china", "HKG", 2023): 272e9,
        ("goods_exports_to_china", "HKG", 2023): 12.5e9,
        ("goods_imports_from_china", "FRA", 2023): 41e9,
    }
    assert set(frame.geo_level) == {"country"}


def test_subscription_key_goes_only_in_the_header(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(comtrade.KEY_ENV, "k3y-do-not-leak")
    server.expect_request(
        SUBSCRIPTION, headers={"Ocp-Apim-Subscription-Key": "k3y-do-not-leak"}
    ).respond_with_json(body(record()))
    payload = comtrade.SOURCE.fetch_live(make_session(retries=0, backoff=0))
    assert comtrade.SOURCE.observations(payload).value.tolist() == [1.5e9]
    request, _ = server.log[0]
    assert "k3y" not in request.url
    assert all("k3y" not in part.url for part in payload.parts)
    assert "k3y" not in json.dumps(payload.manifest())


def test_rejected_key_is_reported_without_the_key(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(comtrade.KEY_ENV, "k3y-do-not-leak")
    server.expect_request(SUBSCRIPTION).respond_with_json(
        {
            "statusCode": 401,
            "message": "Access denied due to invalid subscription key k3y-do-not-leak.",
        },
        status=401,
    )
    with pytest.raises(SourceError, match="HTTP 401") as raised:
        load()
    assert "k3y-do-not-leak" not in str(raised.value)


def test_a_full_preview_page_is_refused_as_possibly_cut(server: HTTPServer):
    records = [record(344, "X", 1000 + i) for i in range(comtrade.PREVIEW_CAP)]
    server.expect_request(PREVIEW).respond_with_json(body(*records))
    with pytest.raises(SourceError) as raised:
        load()
    assert_names(raised.value, "comtrade", server.url_for(PREVIEW), "count")


BAD_BODIES = {
    "provider error body": (body(error="All calls are rejected by policy."), "error"),
    "error without data": (
        {"statusCode": 403, "message": "Out of call volume quota."},
        "message",
    ),
    "renamed field": (
        body({k if k != "primaryValue" else "primaryVal": v for k, v in record().items()}),
        "primaryValue",
    ),
    "no data list": ({"elapsedTime": "0 secs", "count": 0, "error": ""}, "data"),
    "empty result": (body(), "data"),
    "non-numeric value": (body(record(value="1,500,000")), "primaryValue"),
    "unknown partner code": (body(record(partner=999)), "partnerCode"),
    "negative value": (body(record(value=-5.0)), "value"),
    "duplicate records": (body(record(), record()), "indicator_id, geo_id, period"),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_body_names_source_url_and_field(server: HTTPServer, case: str):
    document, field = BAD_BODIES[case]
    server.expect_request(PREVIEW).respond_with_json(document)
    with pytest.raises(SourceError) as raised:
        load()
    assert_names(raised.value, "comtrade", server.url_for(PREVIEW), field)


def test_html_with_status_200_is_rejected(server: HTTPServer):
    server.expect_request(PREVIEW).respond_with_data(
        "<!DOCTYPE html><html><body>Maintenance</body></html>", content_type="text/html"
    )
    with pytest.raises(SourceError, match="HTML page") as raised:
        load()
    assert server.url_for(PREVIEW) in str(raised.value)


def test_truncated_json_is_rejected(server: HTTPServer):
    server.expect_request(PREVIEW).respond_with_data(
        json.dumps(body(record()))[:-30], content_type="application/json"
    )
    with pytest.raises(SourceError) as raised:
        load()
    assert_names(raised.value, "comtrade", server.url_for(PREVIEW), "body")


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_http_errors_are_reported(server: HTTPServer, status: int):
    server.expect_request(PREVIEW).respond_with_data("failure", status=status)
    with pytest.raises(SourceError, match=f"HTTP {status}") as raised:
        load()
    assert "[comtrade]" in str(raised.value) and server.url_for(PREVIEW) in str(raised.value)
