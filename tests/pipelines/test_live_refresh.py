"""`citydip refresh --live` end to end against one local server standing in for the providers.

After an offline refresh (a `--select` refresh builds only what depends on its sources):
(a) valid payloads -> fct_observation in the published warehouse holds exactly the served values;
(b) then a bad Comtrade payload -> non-zero exit naming the source; nothing of it is loaded or
    published (comtrade keeps its last good rows), while the other sources' new payloads are
    loaded and published.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from sources import openalex, worldbank
from sources.cities import country_codes
from tests.conftest import citydip_in_process
from tests.published import copy_published
from tests.sources.test_comtrade import body as comtrade_body
from tests.sources.test_comtrade import record as comtrade_record
from tests.sources.test_openalex import institution, page, works_counts
from tests.sources.test_wikidata import results
from tests.sources.test_worldbank import page as worldbank_page

LIVE = ["worldbank", "comtrade", "openalex", "wikidata"]
YEAR = datetime.now(UTC).year  # OpenAlex and Wikidata observations are dated by the fetch


def serve(server: HTTPServer, worldbank_hkg: dict[str, float], comtrade: dict) -> None:
    """Serve Hong Kong's 2020 World Bank values (by indicator), a Comtrade body, and fixed
    OpenAlex and Wikidata answers."""
    server.clear()
    countries = ";".join(country_codes())
    for series, (indicator, _unit) in worldbank.SERIES.items():
        value = worldbank_hkg[indicator]
        server.expect_request(f"/wb/v2/country/{countries}/indicator/{series}").respond_with_json(
            worldbank_page(series, [("HKG", "2020", value), ("SGP", "2020", None)])
        )
    server.expect_request("/comtrade/public/v1/preview/C/A/HS").respond_with_json(comtrade)
    server.expect_request("/openalex/institutions").respond_with_json(
        page(institution("I889458895", 210, 7000), institution("I74801974", 400, 12000))
    )
    server.expect_request("/openalex/works").respond_with_handler(
        works_counts(international=300, city_total={"hong-kong": 600})
    )

    def sparql(request: Request) -> Response:
        query = parse_qs(request.get_data(as_text=True))["query"][0]
        answer = (
            results(("Q90", "Q220"), ("Q90", "Q1085"))
            if "P190" in query
            else results(("Q8646", "Q300"))
        )
        return Response(json.dumps(answer), content_type="application/sparql-results+json")

    server.expect_request("/sparql", method="POST").respond_with_handler(sparql)


GOOD_COMTRADE = comtrade_body(
    comtrade_record(344, "X", 2022, 270_000_000_000), comtrade_record(842, "M", 2022, 1.5e11)
)
BAD_COMTRADE = comtrade_body(comtrade_record(999, "X", 2022, 1.0))  # unknown partner code


def served_worldbank(published: Path, arrivals: float) -> dict[str, float]:
    """Hong Kong's 2020 World Bank values to serve: the published ones x1.5 (a revision within
    every bound: a value x10^4 off the published edition is blocked as absurd), 1000 where none
    is published, and the given tourist arrivals."""
    with duckdb.connect(str(published), read_only=True) as con:
        known = dict(
            con.execute(
                "select indicator_id, value from fct_observation "
                "where source_id = 'worldbank' and geo_id = 'HKG' and period = 2020"
            ).fetchall()
        )
    served = {i: round(known[i] * 1.5) if known.get(i) else 1000.0 for i in worldbank.INDICATORS}
    return {**served, "tourism_arrivals": arrivals}


def worldbank_rows(served: dict[str, float]) -> set[tuple]:
    return {("worldbank", indicator, "HKG", 2020, value) for indicator, value in served.items()}


EXPECTED_OTHERS = {
    ("comtrade", "goods_imports_from_china", "HKG", 2022, 270e9),
    ("comtrade", "goods_exports_to_china", "USA", 2022, 1.5e11),
    ("openalex", "research_works_leading_universities", "hong-kong", YEAR, 210.0),
    ("openalex", "research_citations_leading_universities", "hong-kong", YEAR, 7000.0),
    ("openalex", "research_works_leading_universities", "tokyo", YEAR, 400.0),
    ("openalex", "research_citations_leading_universities", "tokyo", YEAR, 12000.0),
    ("openalex", "research_international_coauthorship_share", "hong-kong", YEAR - 1, 50.0),
    *(
        ("openalex", "research_international_coauthorship_share", city, YEAR - 1, 30.0)
        for city in openalex.city_institutions(openalex.institutions())
        if city != "hong-kong"
    ),
    ("wikidata", "sister_cities", "paris", YEAR, 2.0),
    ("wikidata", "foreign_missions", "hong-kong", YEAR, 1.0),
}


def live_rows(database: Path, table: str, sources: list[str]) -> set[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            f"select source_id, indicator_id, geo_id, period, value from {table} "
            f"where source_id in ({', '.join('?' for _ in sources)})",
            sources,
        ).fetchall()
    return set(rows)


@pytest.fixture(scope="module")
def refreshes(shared_warehouse, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("live")
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        env = {
            # a copy of the shared offline refresh: every source's tables exist
            **copy_published(shared_warehouse, root),
            "CITYDIP_HTTP_RETRIES": "0",
            "CITYDIP_HTTP_BACKOFF": "0",
            "CITYDIP_WORLDBANK_BASE_URL": server.url_for("/wb/v2"),
            "CITYDIP_COMTRADE_BASE_URL": server.url_for("/comtrade"),
            "CITYDIP_OPENALEX_BASE_URL": server.url_for("/openalex"),
            "CITYDIP_WIKIDATA_BASE_URL": server.url_for("/sparql"),
            "CITYDIP_COMTRADE_KEY": "",
            "COLUMNS": "500",  # rich: one failure per line
        }
        assert shared_warehouse.refresh.returncode == 0, shared_warehouse.refresh.stderr[-3000:]
        published_db = root / "home" / "citydip.duckdb"
        served = served_worldbank(published_db, arrivals=123456.0)
        serve(server, served, comtrade=GOOD_COMTRADE)
        good = citydip_in_process("refresh", "--live", "--select", *LIVE, env=env)
        rows_after_good = (
            live_rows(published_db, "fct_observation", LIVE) if good.returncode == 0 else set()
        )
        fetched_after_good = newest_fetch(published_db) if good.returncode == 0 else {}
        serve(server, {**served, "tourism_arrivals": 654321.0}, comtrade=BAD_COMTRADE)
        bad = citydip_in_process("refresh", "--live", "--select", *LIVE, env=env)
        yield {
            "good": good,
            "bad": bad,
            "published": published_db,
            "rows_after_good": rows_after_good,
            "expected": worldbank_rows(served) | EXPECTED_OTHERS,
            "fetched_after_good": fetched_after_good,
            "build": root / "home" / "build" / "citydip_build.duckdb",
        }
    finally:
        server.stop()


def test_live_refresh_publishes_exactly_the_served_values(refreshes):
    good = refreshes["good"]
    assert good.returncode == 0, good.stdout[-3000:] + good.stderr[-3000:]
    assert refreshes["rows_after_good"] == refreshes["expected"]


def test_bad_payload_fails_the_refresh_naming_the_source(refreshes):
    bad = refreshes["bad"]
    assert bad.returncode != 0
    last_lines = bad.stderr.strip().splitlines()[-3:]
    assert any(
        line.startswith("FAILED comtrade http")
        and " check schema_valid: " in line
        and "unknown Comtrade area code 999; the response is kept as " in line
        and "(field 'partnerCode')" in line
        for line in last_lines
    ), last_lines


def test_bad_payload_publishes_nothing_from_it(refreshes):
    """The rejected comtrade payload reaches nothing; worldbank's good change is published.

    (With only the bad source selected, the published file stays byte-for-byte as it was:
    tests/reliability/test_fault_corpus.py proves that end to end.)"""
    published = live_rows(refreshes["published"], "fct_observation", LIVE)
    assert {r for r in published if r[0] == "comtrade"} == {
        r for r in EXPECTED_OTHERS if r[0] == "comtrade"
    }
    assert ("worldbank", "tourism_arrivals", "HKG", 2020, 654321.0) in published


def test_other_sources_still_load_and_the_bad_one_keeps_its_last_good_rows(refreshes):
    build = refreshes["build"]
    worldbank_now = live_rows(build, "raw.worldbank_observations", ["worldbank"])
    assert ("worldbank", "tourism_arrivals", "HKG", 2020, 654321.0) in worldbank_now
    comtrade_now = live_rows(build, "raw.comtrade_observations", ["comtrade"])
    assert comtrade_now == {row for row in EXPECTED_OTHERS if row[0] == "comtrade"}


def newest_fetch(published: Path) -> dict[str, object]:
    """Per source, the newest fetched_at of its published observations."""
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select source_id, max(fetched_at) from fct_observation group by source_id"
        ).fetchall()
    return dict(rows)


def test_an_unchanged_payload_is_not_reloaded(refreshes):
    """OpenAlex served the same body twice: same payload hash, so its rows keep the first load."""
    after_good = refreshes["fetched_after_good"]
    query = "select max(fetched_at) from {} where source_id = ?"
    with duckdb.connect(str(refreshes["build"]), read_only=True) as con:
        now = con.execute(query.format("raw.openalex_observations"), ["openalex"]).fetchone()[0]
        now_wb = con.execute(query.format("raw.worldbank_observations"), ["worldbank"]).fetchone()[
            0
        ]
    assert now == after_good["openalex"]
    assert now_wb > after_good["worldbank"]  # a changed payload is reloaded
