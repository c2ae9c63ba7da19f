"""OpenAlex client and parser against a local server speaking the API's list format."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from sources import openalex
from sources.cities import City, load_cities
from sources.errors import SourceError
from sources.http import make_session
from sources.observation import observation_schema
from tests.sources.faults import assert_names

PATH = "/institutions"
HKU, CUHK, NUS = "I889458895", "I177725633", "I165932596"


def institution(short_id: str, works=100, cites=1000, **changes) -> dict:
    row = {
        "id": f"https://openalex.org/{short_id}",
        "display_name": short_id,
        "works_count": works,
        "cited_by_count": cites,
    }
    row.update(changes)
    return {k: v for k, v in row.items() if v is not ...}


def page(*results: dict, next_cursor: str | None = None) -> dict:
    meta = {"count": 19, "db_response_time_ms": 32, "page": None, "per_page": 200}
    return {"meta": {**meta, "next_cursor": next_cursor}, "results": list(results), "group_by": []}


def works_counts(total: int = 1000, international: int = 250, city_total: dict | None = None):
    """Answer /works count queries as OpenAlex does: `meta.count`, one result per page."""

    def handler(request: Request) -> Response:
        terms = request.args["filter"].split(",")
        ids = terms[0].removeprefix("authorships.institutions.lineage:").split("|")
        count = (city_total or {}).get(openalex.institutions().get(ids[0]), total)
        if "countries_distinct_count:>1" in terms:
            count = international
        meta = {"count": count, "db_response_time_ms": 41, "page": 1, "per_page": 1}
        document = {"meta": meta, "results": [{"id": "https://openalex.org/W1"}], "group_by": []}
        return Response(json.dumps(document), content_type="application/json")

    return handler


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("CITYDIP_OPENALEX_BASE_URL", httpserver.url_for("/"))
    monkeypatch.setenv("CITYDIP_OPENALEX_MAILTO", "data@citydip.example")
    httpserver.expect_request("/works").respond_with_handler(works_counts())
    return httpserver


def load(source=openalex.SOURCE):
    return source.observations(source.fetch_live(make_session(retries=1, backoff=0)))


def test_snapshot_sums_the_dump_per_city():
    frame = openalex.SOURCE.observations(openalex.SOURCE.snapshot())
    works = frame[frame.indicator_id == "research_works_leading_universities"]
    by_city = works.set_index("geo_id")["value"]
    assert by_city["hong-kong"] == 221442 + 148611  # HKU + CUHK in the Dec 2024 dump
    assert "dubai" not in by_city  # no Dubai university above the line
    assert set(frame.period) == {2024} and set(frame.geo_level) == {"city"}


def test_cursor_pages_are_followed_and_exactly_the_served_values_load(server: HTTPServer):
    expected = {"per-page": "200", "mailto": "data@citydip.example"}
    server.expect_ordered_request(
        PATH, query_string={**openalex.query("*"), **expected}
    ).respond_with_json(page(institution(HKU, 200, 5000), next_cursor="IlsxNjA5"))
    server.expect_ordered_request(
        PATH, query_string={**openalex.query("IlsxNjA5"), **expected}
    ).respond_with_json(
        page(institution(CUHK, 50, 700), institution(NUS, 300, 9000), next_cursor="IlsyMDA1")
    )
    server.expect_ordered_request(PATH).respond_with_json(page(next_cursor=None))
    frame = load()
    server.check_assertions()
    got = {
        (r.indicator_id, r.geo_id): r.value
        for r in frame.itertuples()
        if r.indicator_id != "research_international_coauthorship_share"
    }
    assert got == {
        ("research_works_leading_universities", "hong-kong"): 250.0,
        ("research_citations_leading_universities", "hong-kong"): 5700.0,
        ("research_works_leading_universities", "singapore"): 300.0,
        ("research_citations_leading_universities", "singapore"): 9000.0,
    }


def test_international_coauthorship_share_per_city_for_the_last_complete_year(
    server: HTTPServer,
):
    server.expect_request(PATH).respond_with_json(page(institution(HKU)))
    frame = load()
    shares = frame[frame.indicator_id == "research_international_coauthorship_share"]
    assert set(shares.geo_id) == set(
        openalex.city_institutions(openalex.institutions())
    )  # every listed city
    assert set(shares.value) == {25.0} and set(shares.unit) == {"percent"}
    assert set(shares.period) == {datetime.now(UTC).year - 1}
    works = [r for r, _ in server.log if r.path == "/works"]
    hong_kong = [r.args["filter"] for r in works if HKU in r.args["filter"]]
    assert len(hong_kong) == 2
    assert f"authorships.institutions.lineage:{HKU}|{CUHK}" in hong_kong[0]
    assert hong_kong[1].endswith(",countries_distinct_count:>1")


@pytest.mark.parametrize(
    ("handler", "problem"),
    [
        (works_counts(total=100, international=250), "250 international of 100 works"),
        (works_counts(total=0, international=0), "0 international of 0 works"),
    ],
    ids=["more international than all", "no works"],
)
def test_impossible_counts_name_source_url_and_field(httpserver, monkeypatch, handler, problem):
    monkeypatch.setenv("CITYDIP_OPENALEX_BASE_URL", httpserver.url_for("/"))
    httpserver.expect_request(PATH).respond_with_json(page(institution(HKU)))
    httpserver.expect_request("/works").respond_with_handler(handler)
    with pytest.raises(SourceError, match=problem) as raised:
        load()
    assert_names(raised.value, "openalex", httpserver.url_for("/works"), "meta.count")


def test_paging_stops_at_the_page_bound(server: HTTPServer):
    server.expect_request(PATH).respond_with_json(
        page(institution(HKU), next_cursor="again-and-again")
    )
    bounded = dataclasses.replace(openalex.SOURCE, max_pages=3)
    with pytest.raises(SourceError, match="more than 3 pages") as raised:
        bounded.fetch_live(make_session(retries=0, backoff=0))
    assert_names(raised.value, "openalex", server.url_for(PATH), "pages")
    assert len(server.log) == 3


BAD_BODIES = {
    "provider error body with 200": (
        {"error": "Invalid query parameters error.", "message": "badfilter is not a valid field."},
        "error",
    ),
    "renamed field": (page(institution(HKU, works=..., worksCount=5)), "works_count"),
    "missing results": ({"meta": {"count": 0}}, "meta/results"),
    "empty result": (page(), "results"),
    "duplicate institution": (page(institution(HKU), institution(HKU)), "id"),
    "non-numeric value": (page(institution(HKU, works="12k")), "works_count"),
    "negative value": (page(institution(HKU, cites=-1)), "value"),
    "unknown institution": (page(institution("I1")), "id"),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_body_names_source_url_and_field(server: HTTPServer, case: str):
    document, field = BAD_BODIES[case]
    server.expect_request(PATH).respond_with_json(document)
    with pytest.raises(SourceError) as raised:
        load()
    assert_names(raised.value, "openalex", server.url_for(PATH), field)


def test_bad_filter_with_status_400_is_reported(server: HTTPServer):
    server.expect_request(PATH).respond_with_json(
        {"error": "Invalid query parameters error.", "message": "badfilter is not a valid field."},
        status=400,
    )
    with pytest.raises(SourceError, match="HTTP 400.*badfilter") as raised:
        load()
    assert server.url_for(PATH) in str(raised.value)


@pytest.mark.parametrize("status", [403, 429, 500])
def test_rate_limit_and_server_errors_are_reported_after_retries(server: HTTPServer, status: int):
    server.expect_request(PATH).respond_with_data("slow down", status=status)
    with pytest.raises(SourceError, match=f"HTTP {status}") as raised:
        load()
    assert "[openalex]" in str(raised.value)


def test_html_and_truncated_json_are_rejected(server: HTTPServer):
    server.expect_ordered_request(PATH).respond_with_data(
        "<html><body>Bad gateway</body></html>", content_type="text/html"
    )
    with pytest.raises(SourceError, match="HTML page"):
        load()
    server.expect_ordered_request(PATH).respond_with_data(
        json.dumps(page(institution(HKU)))[:-15], content_type="application/json"
    )
    with pytest.raises(SourceError) as raised:
        load()
    assert_names(raised.value, "openalex", server.url_for(PATH), "body")


def test_a_city_added_to_the_seed_gets_the_institutions_near_its_centre(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    """Zurich is not in the hand-checked list: the list's rule is asked of the API, and the
    institutions within CAMPUS_RADIUS_KM of the seed's centre count for it (served values)."""
    zurich = City("zurich", "Zurich", "CHE", "Q72", ("ZRH",), 47.3769, 8.5417)
    monkeypatch.setattr(openalex, "load_cities", lambda: (*load_cities(), zurich))
    geo_ids = {c.city_id for c in (*load_cities(), zurich)}  # the schema reads the seed at import
    schema = observation_schema(openalex.SOURCE_ID, openalex.INDICATORS, geo_ids=geo_ids)
    source = dataclasses.replace(openalex.SOURCE, schema=schema)

    def at(lat: float, lon: float) -> dict:
        return {"latitude": lat, "longitude": lon, "country_code": "CH"}

    def institutions(request: Request) -> Response:
        if request.args["filter"] != openalex.DISCOVERY:
            return Response(json.dumps(page(institution(HKU))), content_type="application/json")
        found = page(
            institution("I1", 900, 9000, geo=at(47.3763, 8.5477)),  # in Zurich
            institution("I2", 600, 4000, geo=at(47.3744, 8.5510)),  # in Zurich
            institution("I3", 800, 8000, geo=at(46.5191, 6.5668)),  # Lausanne: 175 km away
            institution(HKU, 999, 9999, geo=at(22.2830, 114.1371)),  # listed: counted once
        )
        return Response(json.dumps(found), content_type="application/json")

    server.expect_request(PATH).respond_with_handler(institutions)
    frame = load(source)
    works = frame[frame.indicator_id == "research_works_leading_universities"]
    assert works.set_index("geo_id")["value"].to_dict() == {"hong-kong": 100.0, "zurich": 1500.0}
    asked = [r.args["filter"] for r, _ in server.log if r.path == "/works"]
    assert sum("lineage:I1|I2," in f for f in asked) == 2  # both counts for Zurich
