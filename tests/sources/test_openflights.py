"""OpenFlights client and parser against a local server serving airports.dat and routes.dat."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from sources import openflights
from sources.cities import load_cities
from sources.errors import SourceError
from sources.http import make_session

# Real airports.dat lines (OpenFlights), one per city airport plus a few destinations.
AIRPORTS = {
    "HKG": '3077,"Hong Kong International Airport","Hong Kong","Hong Kong","HKG","VHHH",22.308901,113.915001,28,8,"U","Asia/Hong_Kong","airport","OurAirports"',
    "SIN": '3316,"Singapore Changi Airport","Singapore","Singapore","SIN","WSSS",1.35019,103.994003,22,8,"N","Asia/Singapore","airport","OurAirports"',
    "PEK": '3364,"Beijing Capital International Airport","Beijing","China","PEK","ZBAA",40.080101013183594,116.58499908447266,116,8,"U","Asia/Shanghai","airport","OurAirports"',
}


def airport_line(airport_id: int, code: str, country: str) -> str:
    return (
        f'{airport_id},"{code} Airport","{code}","{country}","{code}","X{code}",0.0,0.0,0,0,"U",'
        f'"Etc/UTC","airport","OurAirports"'
    )


def airports_file(extra: list[str] = ()) -> str:
    """Every city airport (HKG and SIN real lines, the others minimal), plus PEK."""
    lines = [AIRPORTS["HKG"], AIRPORTS["SIN"], AIRPORTS["PEK"]]
    country_of = {c: city.country_iso3 for city in load_cities() for c in city.iata_codes}
    for n, code in enumerate(sorted(set(country_of) - {"HKG", "SIN"}), start=90000):
        lines.append(airport_line(n, code, country_of[code]))
    return "\n".join([*lines, *extra]) + "\n"


ROUTES = "\n".join(
    [
        "3K,3021,HKG,3077,SIN,3316,,0,320",  # the sample line of source-apis.md
        "CX,1,HKG,3077,SIN,3316,Y,0,333",  # same destination, other airline: counted once
        "CA,2,HKG,3077,PEK,3364,,0,330",
        "SQ,3,SIN,3316,HKG,3077,,0,777",
        "SQ,3,SIN,3316,XXX,\\N,,0,777",  # destination not in airports.dat: skipped
    ]
)


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("CITYDIP_OPENFLIGHTS_BASE_URL", httpserver.url_for("/data"))
    monkeypatch.setenv("CITYDIP_HTTP_BACKOFF", "0")
    return httpserver


def serve(server: HTTPServer, airports: str | bytes, routes: str | bytes) -> None:
    for name, body in (("airports.dat", airports), ("routes.dat", routes)):
        server.expect_request(f"/data/{name}").respond_with_data(
            body, content_type="application/octet-stream"
        )


def fetch_frame():
    return openflights.SOURCE.observations(openflights.SOURCE.fetch_live(make_session()))


def error_of(server: HTTPServer) -> SourceError:
    with pytest.raises(SourceError) as raised:
        fetch_frame()
    assert "[openflights]" in str(raised.value)
    assert server.url_for("/data/") in str(raised.value)
    return raised.value


def value(frame, indicator: str, city: str) -> float:
    return frame.set_index(["indicator_id", "geo_id"]).loc[(indicator, city), "value"]


def test_snapshot_counts_international_destinations_per_city():
    frame = openflights.SOURCE.observations(openflights.SOURCE.snapshot())
    assert set(frame.period) == {2014}  # routes as of June 2014
    assert len(frame) == 2 * len(load_cities())
    assert value(frame, "intl_route_destinations", "hong-kong") == 133
    assert value(frame, "intl_destination_countries", "london") == 99
    assert (frame["value"] > 0).all()


def test_live_fetch_loads_exactly_the_served_routes(server: HTTPServer):
    serve(server, airports_file(), ROUTES)
    frame = fetch_frame()
    assert value(frame, "intl_route_destinations", "hong-kong") == 2  # SIN, PEK
    assert value(frame, "intl_destination_countries", "hong-kong") == 2  # Singapore, China
    assert value(frame, "intl_route_destinations", "singapore") == 1
    assert value(frame, "intl_route_destinations", "tokyo") == 0


def test_http_error_names_source_and_url(server: HTTPServer):
    server.expect_request("/data/airports.dat").respond_with_data("gone", status=404)
    assert "HTTP 404" in str(error_of(server))


def test_html_page_with_status_200_is_rejected(server: HTTPServer):
    serve(server, "<!DOCTYPE html><html><body>Rate limited</body></html>", ROUTES)
    assert "HTML page" in str(error_of(server))


def test_truncated_routes_line_names_the_columns(server: HTTPServer):
    serve(server, airports_file(), ROUTES + "\nCX,1,HKG,3077")
    error = error_of(server)
    assert error.field == "columns" and "line 6" in str(error)


def test_wrong_encoding_is_rejected(server: HTTPServer):
    serve(server, airports_file().encode("utf-8") + "\n".encode("utf-16"), ROUTES)
    error = error_of(server)
    assert "not UTF-8" in str(error) and "airports.dat" in error.url


def test_empty_routes_file_is_rejected(server: HTTPServer):
    serve(server, airports_file(), "")
    error = error_of(server)
    assert "empty" in str(error) and "routes.dat" in error.url


def test_city_airport_missing_from_airports_is_an_unknown_code(server: HTTPServer):
    serve(server, airports_file().replace(AIRPORTS["HKG"] + "\n", ""), ROUTES)
    error = error_of(server)
    assert error.field == "IATA" and "HKG" in str(error)


def test_duplicate_airport_id_is_rejected(server: HTTPServer):
    serve(server, airports_file([AIRPORTS["PEK"]]), ROUTES)
    error = error_of(server)
    assert error.field == "ID" and "duplicate" in str(error)


def test_non_numeric_destination_id_is_rejected(server: HTTPServer):
    serve(server, airports_file(), ROUTES + "\nCX,1,HKG,3077,SIN,abc,,0,320")
    assert error_of(server).field == "DstID"


def test_renamed_shape_of_airports_file_is_schema_drift(server: HTTPServer):
    reshaped = "\n".join(line.rsplit(",", 1)[0] for line in airports_file().splitlines())
    serve(server, reshaped, ROUTES)
    error = error_of(server)
    assert error.field == "columns" and "expected 14" in str(error)


def test_no_international_route_at_all_is_rejected(server: HTTPServer):
    serve(server, airports_file(), "CA,2,PEK,3364,HKG,3077,,0,330")
    error = error_of(server)
    assert error.field == "Src" and "no international route" in str(error)
