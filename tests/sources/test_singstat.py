"""SingStat Table Builder M550001 against a local server speaking the API's JSON format."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pytest_httpserver import HTTPServer

from sources import singstat
from sources.errors import SourceError
from sources.http import make_session
from sources.source import SNAPSHOT_ROOT

PATH = "/api/table/tabledata/M550001"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
TOTAL = "Total International Visitor Arrivals By Inbound Tourism Markets"
SNAPSHOT = SNAPSHOT_ROOT / "singstat"


def columns(year: int, value: str, months: list[str] = MONTHS) -> list[dict]:
    return [{"key": f"{year} {m}", "value": value} for m in reversed(months)]  # newest first


def response(rows: list[dict]) -> dict:
    return {
        "Data": {"id": "M550001", "row": rows},
        "DataCount": len(rows),
        "StatusCode": 200,
        "Message": "",
    }


def total_row(cols: list[dict]) -> dict:
    return {"seriesNo": "1", "rowText": TOTAL, "columns": cols}


def market_rows(n: int, start: int = 2) -> list[dict]:
    return [
        {"seriesNo": str(i), "rowText": f"Market {i}", "columns": columns(2023, "1")}
        for i in range(start, start + n)
    ]


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("CITYDIP_SINGSTAT_BASE_URL", httpserver.url_for("/api"))
    monkeypatch.setenv("CITYDIP_HTTP_BACKOFF", "0")
    return httpserver


def serve(server: HTTPServer, document, **kwargs) -> None:
    body = document if isinstance(document, str | bytes) else json.dumps(document)
    server.expect_request(PATH).respond_with_data(
        body, content_type=kwargs.pop("content_type", "application/json"), **kwargs
    )


def fetch_frame():
    return singstat.SOURCE.observations(singstat.SOURCE.fetch_live(make_session()))


def error_of(server: HTTPServer) -> SourceError:
    with pytest.raises(SourceError) as raised:
        fetch_frame()
    assert "[singstat]" in str(raised.value)
    assert server.url_for(PATH) in str(raised.value)
    return raised.value


def test_pages_through_series_and_sums_complete_years(server: HTTPServer):
    first = [
        total_row(columns(2024, "1,500,000", MONTHS[:5]) + columns(2023, "1250000.0")),
        *market_rows(singstat.PAGE_SIZE - 1),
    ]
    server.expect_request(PATH, query_string={"offset": "0", "limit": "100"}).respond_with_json(
        response(first)
    )
    server.expect_request(PATH, query_string={"offset": "100", "limit": "100"}).respond_with_json(
        response(market_rows(1, start=200))
    )
    payload = singstat.SOURCE.fetch_live(make_session())
    frame = singstat.SOURCE.observations(payload)
    assert len(payload.parts) == 2
    assert frame[["geo_id", "period", "value"]].values.tolist() == [
        ["singapore", 2023, 12 * 1250000.0]
    ]  # 2024 has five months only: not loaded


def test_snapshot_sums_the_published_annual_totals():
    """The shipped snapshot (a real M550001 export) parses to SingStat's published totals."""
    frame = singstat.SOURCE.observations(singstat.SOURCE.snapshot())
    values = dict(zip(frame["period"], frame["value"], strict=True))
    assert sorted(values) == list(range(2008, 2026))  # 2026 has January only: not loaded
    assert values[2019] == 19_116_016  # published 19.1m
    assert values[2022] == 6_305_744  # 6.3m
    assert values[2023] == 13_602_215  # 13.6m
    assert values[2024] == 16_526_344  # 16.5m
    assert set(frame["geo_id"]) == {"singapore"} and not frame["approximate"].any()


def test_snapshot_is_laid_out_as_the_live_client_requests_it():
    manifest = json.loads((SNAPSHOT / "manifest.json").read_text())
    (part,) = manifest["parts"]  # 62 series: one page shorter than PAGE_SIZE
    assert part["url"] == (
        f"{singstat.SOURCE.default_base_url}/table/tabledata/M550001"
        f"?offset=0&limit={singstat.PAGE_SIZE}"
    )
    document = json.loads((SNAPSHOT / part["file"]).read_text())
    rows = document["Data"]["row"]
    assert document["DataCount"] == len(rows) == 62 < singstat.PAGE_SIZE
    keys = [column["key"] for column in rows[0]["columns"]]
    assert keys[0] == "2026 Jan" and keys[-1] == "2008 Jan" and len(keys) == 217  # newest first
    assert all(isinstance(column["value"], str) for row in rows for column in row["columns"])


def test_build_py_reproduces_the_snapshot_from_the_export(tmp_path):
    subprocess.run([sys.executable, str(SNAPSHOT / "build.py"), str(tmp_path)], check=True)
    for name in ("M550001.json", "manifest.json"):
        assert (tmp_path / name).read_bytes() == (SNAPSHOT / name).read_bytes(), name


def test_no_complete_year_is_rejected(server: HTTPServer):
    serve(server, response([total_row(columns(2024, "1", MONTHS[:5]))]))
    error = error_of(server)
    assert "no observations" in str(error) and error.field == "rows"


def test_http_error(server: HTTPServer):
    serve(server, {"statusCode": 429, "message": "Too many requests"}, status=429)
    assert "HTTP 429" in str(error_of(server))


def test_html_page_with_status_200(server: HTTPServer):
    serve(server, "<!doctype html><html>Access denied</html>", content_type="text/html")
    assert "HTML page" in str(error_of(server))


def test_truncated_json(server: HTTPServer):
    serve(server, json.dumps(response([total_row(columns(2023, "1"))]))[:-30])
    assert "malformed or truncated JSON" in str(error_of(server))


def test_provider_error_body(server: HTTPServer):
    serve(server, {"Data": None, "DataCount": 0, "StatusCode": 404, "Message": "No data found"})
    error = error_of(server)
    assert "No data found" in str(error) and error.field == "StatusCode"


def test_renamed_field(server: HTTPServer):
    serve(server, {"Data": {"rows": [total_row(columns(2023, "1"))]}})
    assert error_of(server).field == "Data.row"


def test_missing_total_row(server: HTTPServer):
    serve(server, response(market_rows(3)))
    error = error_of(server)
    assert error.field == "rowText" and "Total International Visitor Arrivals" in str(error)


def test_empty_result(server: HTTPServer):
    serve(server, response([]))
    assert "empty result" in str(error_of(server))


def test_duplicate_month(server: HTTPServer):
    serve(server, response([total_row(columns(2023, "1") + columns(2023, "1", ["Mar"]))]))
    error = error_of(server)
    assert "duplicate month" in str(error) and error.field == "columns.key"


def test_non_numeric_value(server: HTTPServer):
    serve(server, response([total_row(columns(2023, "na"))]))
    error = error_of(server)
    assert "non-numeric" in str(error) and error.field == "columns.value"


def test_negative_value(server: HTTPServer):
    serve(server, response([total_row(columns(2023, "-5"))]))
    error = error_of(server)
    assert "negative" in str(error) and error.field == "columns.value"


def test_unknown_column_key(server: HTTPServer):
    serve(server, response([total_row([{"key": "2023 Q1", "value": "1"}])]))
    error = error_of(server)
    assert "%Y %b" in str(error) and error.field == "columns.key"


def test_wrong_encoding(server: HTTPServer):
    serve(server, json.dumps(response([total_row(columns(2023, "1"))])).encode("utf-16"))
    error = error_of(server)
    assert "not UTF-8" in str(error) and error.field == "body"
