"""Wikidata SPARQL client and parser against a local server speaking SPARQL JSON results."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from sources import wikidata
from sources.errors import SourceError
from sources.http import make_session
from tests.sources.faults import assert_names

PATH = "/sparql"
ENTITY = "http://www.wikidata.org/entity/"
HONG_KONG, PARIS, TOKYO = "Q8646", "Q90", "Q1490"


def results(*pairs: tuple[str, str]) -> dict:
    """A SPARQL JSON result with one binding per (city, other) pair of Wikidata ids."""
    return {
        "head": {"vars": ["city", "other"]},
        "results": {
            "bindings": [
                {
                    "city": {"type": "uri", "value": ENTITY + city},
                    "other": {"type": "uri", "value": ENTITY + other},
                }
                for city, other in pairs
            ]
        },
    }


def by_query(answers: dict[str, dict | str]):
    """Answer each POSTed query by its first line (`# citydip: ...`)."""

    def handler(request: Request) -> Response:
        sparql = parse_qs(request.get_data(as_text=True))["query"][0]
        answer = answers[sparql.splitlines()[0]]
        text = answer if isinstance(answer, str) else json.dumps(answer)
        return Response(text, content_type="application/sparql-results+json")

    return handler


TWINS = "# citydip: sister cities"
EMBASSY, CONSULATE, GENERAL = (
    f"# citydip: foreign missions ({kind})"
    for kind in ("embassy", "consulate", "consulate general")
)


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("CITYDIP_WIKIDATA_BASE_URL", httpserver.url_for(PATH))
    return httpserver


def serve(server: HTTPServer, **overrides: dict | str) -> None:
    answers = {
        TWINS: results((PARIS, "Q220"), (PARIS, "Q220"), (PARIS, "Q1085"), (TOKYO, "Q60")),
        EMBASSY: results((TOKYO, "Q100"), (PARIS, "Q200")),
        CONSULATE: results(),
        GENERAL: results((HONG_KONG, "Q300"), (HONG_KONG, "Q301"), (TOKYO, "Q100")),
    }
    names = {"twins": TWINS, "embassy": EMBASSY, "consulate": CONSULATE, "general": GENERAL}
    answers.update({names[k]: v for k, v in overrides.items()})
    server.expect_request(PATH, method="POST").respond_with_handler(by_query(answers))


def load():
    return wikidata.SOURCE.observations(
        wikidata.SOURCE.fetch_live(make_session(retries=1, backoff=0))
    )


def test_ships_no_snapshot():
    assert not wikidata.SOURCE.has_snapshot
    with pytest.raises(SourceError, match="no snapshot"):
        wikidata.SOURCE.snapshot()


def test_queries_are_posted_with_sparql_json_accept_and_a_descriptive_agent(server: HTTPServer):
    serve(server)
    load()
    assert len(server.log) == 4
    for request, _ in server.log:
        assert request.headers["Accept"] == "application/sparql-results+json"
        assert request.headers["User-Agent"].startswith("citydip/")
        assert "https://" in request.headers["User-Agent"]
    first = parse_qs(server.log[0][0].get_data(as_text=True))["query"][0]
    assert "wdt:P190 ?other } UNION { ?other wdt:P190 ?city" in first
    assert "wd:Q8646" in first  # the cities come from the seed


def test_counts_distinct_items_per_city_exactly_as_served(server: HTTPServer):
    serve(server)
    frame = load()
    got = {(r.indicator_id, r.geo_id): r.value for r in frame.itertuples()}
    assert got == {
        ("sister_cities", "paris"): 2.0,  # Q220 twice (both directions) counts once
        ("sister_cities", "tokyo"): 1.0,
        ("foreign_missions", "tokyo"): 1.0,  # Q100 is an embassy and a consulate general
        ("foreign_missions", "paris"): 1.0,
        ("foreign_missions", "hong-kong"): 2.0,
    }
    assert set(frame.geo_level) == {"city"}


def test_a_200_cut_by_a_server_timeout_is_rejected(server: HTTPServer):
    cut = json.dumps(results((PARIS, "Q220")))[:60] + "\njava.util.concurrent.TimeoutException"
    serve(server, embassy=cut)
    with pytest.raises(SourceError, match="TimeoutException") as raised:
        load()
    assert_names(raised.value, "wikidata", server.url_for(PATH), "body")


BAD_ANSWERS = {
    "renamed variable": (
        {"twins": {"head": {"vars": ["city", "twin"]}, "results": {"bindings": []}}},
        "head.vars",
    ),
    "not SPARQL results": (
        {"twins": {"error": "MalformedQueryException"}},
        "head.vars/results.bindings",
    ),
    "binding without other": (
        {"twins": {"head": {"vars": ["city", "other"]}, "results": {"bindings": [{"city": {}}]}}},
        "city/other",
    ),
    "unknown city": ({"twins": results(("Q42", "Q220"))}, "city"),
    "literal instead of item": (
        {
            "twins": {
                "head": {"vars": ["city", "other"]},
                "results": {
                    "bindings": [
                        {
                            "city": {"type": "uri", "value": ENTITY + PARIS},
                            "other": {"type": "literal", "value": "Rome"},
                        }
                    ]
                },
            }
        },
        "other",
    ),
    "empty result": (
        {"twins": results(), "embassy": results(), "general": results()},
        "bindings",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
def test_bad_answer_names_source_url_and_field(server: HTTPServer, case: str):
    overrides, field = BAD_ANSWERS[case]
    serve(server, **overrides)
    with pytest.raises(SourceError) as raised:
        load()
    assert_names(raised.value, "wikidata", server.url_for(PATH), field)


def test_rate_limit_with_retry_after_then_success(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    import urllib3.util.retry

    slept: list[float] = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", slept.append)
    server.expect_ordered_request(PATH, method="POST").respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "3"}
    )
    serve(server)
    assert len(load()) == 5
    assert slept == [3.0]


@pytest.mark.parametrize("status", [400, 500, 502])
def test_http_errors_are_reported(server: HTTPServer, status: int):
    server.expect_request(PATH).respond_with_data("MalformedQueryException", status=status)
    with pytest.raises(SourceError, match=f"HTTP {status}") as raised:
        load()
    assert "[wikidata]" in str(raised.value) and server.url_for(PATH) in str(raised.value)


def test_html_with_status_200_is_rejected(server: HTTPServer):
    server.expect_request(PATH).respond_with_data(
        "<!DOCTYPE html><title>Wikimedia Error</title>", content_type="text/html"
    )
    with pytest.raises(SourceError, match="HTML page"):
        load()
