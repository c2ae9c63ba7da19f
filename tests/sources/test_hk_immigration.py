"""Hong Kong Immigration Department daily passenger traffic CSV against a local server."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pytest_httpserver import HTTPServer

from sources import hk_immigration
from sources.errors import SourceError
from sources.http import make_session

HEADER = "Date,Control Point,Arrival / Departure,Hong Kong Residents,Mainland Visitors,Other Visitors,Total"
PATH = "/opendata/statistics_on_daily_passenger_traffic.csv"


def year_of_rows(year: int, mainland: int, other: int) -> list[str]:
    """Every day of a year: an Airport and a Lo Wu arrival and an Airport departure per day."""
    rows, day = [], date(year, 1, 1)
    while day.year == year:
        d = day.strftime("%d-%m-%Y")
        rows += [
            f"{d},Airport,Arrival,10,{mainland},{other},{10 + mainland + other}",
            f"{d},Lo Wu,Arrival,5,{mainland},0,{5 + mainland}",
            f"{d},Airport,Departure,10,99,99,208",  # departures never count
        ]
        day += timedelta(days=1)
    return rows


def csv_body(rows: list[str], trailing_comma: bool = True, bom: bool = True) -> bytes:
    end = "," if trailing_comma else ""
    text = "\n".join(line + end for line in [HEADER, *rows]) + "\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("CITYDIP_HK_IMMIGRATION_BASE_URL", httpserver.url_for("/opendata"))
    monkeypatch.setenv("CITYDIP_HTTP_BACKOFF", "0")
    return httpserver


def serve(server: HTTPServer, body: bytes | str, **kwargs) -> None:
    server.expect_request(PATH).respond_with_data(
        body, content_type=kwargs.pop("content_type", "text/csv"), **kwargs
    )


def fetch_frame():
    return hk_immigration.SOURCE.observations(hk_immigration.SOURCE.fetch_live(make_session()))


def error_of(server: HTTPServer) -> SourceError:
    with pytest.raises(SourceError) as raised:
        fetch_frame()
    assert "[hk_immigration]" in str(raised.value)
    assert server.url_for(PATH) in str(raised.value)
    return raised.value


def test_annual_visitor_arrivals_sum_complete_years_only(server: HTTPServer):
    partial = ["01-01-2024,Airport,Arrival,1,500,500,1001"]
    serve(server, csv_body(year_of_rows(2023, mainland=3, other=2) + partial))
    frame = fetch_frame()
    assert frame[["geo_id", "geo_level", "period"]].values.tolist() == [["hong-kong", "city", 2023]]
    assert frame["value"].tolist() == [365 * (3 + 2 + 3)]  # Airport 3+2, Lo Wu 3+0


def test_leap_year_needs_all_366_days(server: HTTPServer):
    rows = year_of_rows(2024, 1, 0)
    serve(server, csv_body([r for r in rows if not r.startswith("29-02-2024")]))
    error = error_of(server)  # 365 of 366 days: no complete year, so nothing to load
    assert "no complete calendar year" in str(error) and error.field == "Date"


def test_file_without_bom_or_trailing_comma_parses_too(server: HTTPServer):
    serve(server, csv_body(year_of_rows(2023, 1, 1), trailing_comma=False, bom=False))
    assert fetch_frame()["value"].tolist() == [365 * 3]


def test_shipped_snapshot_sums_every_day_of_2021():
    payload = hk_immigration.SOURCE.snapshot()
    per_day = hk_immigration.daily_visitor_arrivals(payload.parts[0])
    assert len(per_day) == 365
    assert per_day[date(2021, 1, 1)] == 9 + 2 + 0 + 43 + 1  # Airport, HZMB, Shenzhen Bay
    frame = hk_immigration.SOURCE.observations(payload)
    assert frame[["geo_id", "period", "value"]].values.tolist() == [["hong-kong", 2021, 72098.0]]


def test_http_error(server: HTTPServer):
    serve(server, "Service Unavailable", status=503)
    assert "HTTP 503" in str(error_of(server))


def test_html_page_with_status_200(server: HTTPServer):
    serve(server, "<html><body>Maintenance</body></html>", content_type="text/html")
    assert "HTML page" in str(error_of(server))


def test_truncated_body(server: HTTPServer):
    body = csv_body(year_of_rows(2023, 1, 1), trailing_comma=False)
    serve(server, body + b"31-12-2023,Airport")
    error = error_of(server)
    assert "truncated" in str(error) and error.field == "Date"


def test_wrong_encoding(server: HTTPServer):
    serve(server, "\n".join([HEADER, "01-01-2023,Aéroport,Arrival,1,1,1,3"]).encode("utf-16"))
    error = error_of(server)
    assert "not UTF-8" in str(error) and error.field == "body"


def test_renamed_column(server: HTTPServer):
    body = csv_body(year_of_rows(2023, 1, 1)).replace(b"Other Visitors", b"Other visitors")
    serve(server, body)
    error = error_of(server)
    assert error.field == "Other Visitors" and "missing column" in str(error)


def test_partial_year_only_is_rejected(server: HTTPServer):
    serve(server, csv_body(["01-01-2024,Airport,Arrival,1,1,1,3"]))
    assert "no complete calendar year" in str(error_of(server))


def test_empty_result(server: HTTPServer):
    serve(server, csv_body([]))
    error = error_of(server)
    assert "empty result" in str(error)


def test_duplicate_rows(server: HTTPServer):
    rows = year_of_rows(2023, 1, 1)
    serve(server, csv_body([*rows, rows[0]]))
    error = error_of(server)
    assert "duplicate" in str(error) and error.field == "Control Point"


def test_non_numeric_count(server: HTTPServer):
    serve(server, csv_body(["01-01-2023,Airport,Arrival,1,n/a,1,2"]))
    error = error_of(server)
    assert "non-numeric" in str(error) and error.field == "Mainland Visitors"


def test_negative_count(server: HTTPServer):
    serve(server, csv_body(["01-01-2023,Airport,Arrival,1,1,-4,2"]))
    error = error_of(server)
    assert "negative" in str(error) and error.field == "Other Visitors"


def test_date_in_another_format(server: HTTPServer):
    serve(server, csv_body(["2023-01-01,Airport,Arrival,1,1,1,3"]))
    error = error_of(server)
    assert "dd-mm-yyyy" in str(error) and error.field == "Date"


def test_unknown_direction_code(server: HTTPServer):
    serve(server, csv_body(["01-01-2023,Airport,Transit,1,1,1,3"]))
    error = error_of(server)
    assert "unknown direction" in str(error) and error.field == "Arrival / Departure"
