"""sistercity.info fallback: the scrape's CSV layout served by a local server."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pytest_httpserver import HTTPServer

from sources import sistercity
from sources.cities import load_cities
from sources.errors import SourceError
from sources.http import make_session
from sources.observation import observation_schema
from tests.sources.faults import assert_names

PATH = "/sister_cities.csv"


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("CITYDIP_SISTERCITY_BASE_URL", httpserver.url_for("/"))
    return httpserver


def load():
    return sistercity.SOURCE.observations(
        sistercity.SOURCE.fetch_live(make_session(retries=0, backoff=0))
    )


def test_snapshot_counts_each_city_own_page_and_marks_it_approximate():
    frame = sistercity.SOURCE.observations(sistercity.SOURCE.snapshot())
    counts = frame.set_index("geo_id")["value"].to_dict()
    assert counts["paris"] == 39.0 and counts["singapore"] == 6.0  # as in the extract's PROVENANCE
    assert "hong-kong" not in counts  # no Hong Kong page on the site
    assert frame["approximate"].all()


def test_counts_distinct_partners_on_the_city_page_only(server: HTTPServer):
    server.expect_request(PATH).respond_with_data(
        ",country,city,sister\n"
        "1,France,Paris,Rome\n"
        "2,France,Paris,Rome\n"
        "3,France,Paris,Kyoto\n"
        "4,Canada,London,Paris\n"  # London, Ontario: not the comparison city
        "5,Italy,Rome,Paris\n",  # a mention on another page is not counted
        content_type="text/csv",
    )
    assert load().set_index("geo_id")["value"].to_dict() == {"paris": 2.0}


def test_a_city_added_to_the_seed_is_counted_from_its_one_page(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    seeded = load_cities()
    added = [
        replace(seeded[0], city_id="sydney", city_name="Sydney", country_iso3="AUS"),
        replace(seeded[0], city_id="london-on", city_name="Victoria", country_iso3="CAN"),
    ]
    monkeypatch.setattr(sistercity, "load_cities", lambda: (*seeded, *added))
    geo_ids = {c.city_id for c in (*seeded, *added)}  # the schema reads the seed at import
    schema = observation_schema(sistercity.SOURCE_ID, sistercity.INDICATORS, geo_ids=geo_ids)
    monkeypatch.setattr(sistercity, "SOURCE", replace(sistercity.SOURCE, schema=schema))
    server.expect_request(PATH).respond_with_data(
        ",country,city,sister\n"
        "1,Australia,Sydney,Nagoya\n"
        "2,Australia,Sydney,Portsmouth\n"
        "3,Canada,Victoria,Suzhou\n"  # Victoria has pages in two countries: matched to none
        "4,Seychelles,Victoria,Kaohsiung\n"
        "5,France,Paris,Rome\n",
        content_type="text/csv",
    )
    assert load().set_index("geo_id")["value"].to_dict() == {"sydney": 2.0, "paris": 1.0}


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (",country,town,sister\n1,France,Paris,Rome\n", "city"),
        (",country,city,sister\n1,Italy,Rome,Milan\n", "city"),
        (",country,city,sister\n1,France,Paris\n", "row"),
    ],
    ids=["renamed column", "no comparison city", "truncated row"],
)
def test_bad_csv_names_source_url_and_field(server: HTTPServer, text: str, field: str):
    server.expect_request(PATH).respond_with_data(text, content_type="text/csv")
    with pytest.raises(SourceError) as raised:
        load()
    assert_names(raised.value, "sistercity", server.url_for(PATH), field)


def test_html_and_http_errors_are_rejected(server: HTTPServer):
    server.expect_ordered_request(PATH).respond_with_data(
        "<html><body>404: Not Found</body></html>", content_type="text/html"
    )
    server.expect_ordered_request(PATH).respond_with_data("404: Not Found", status=404)
    with pytest.raises(SourceError, match="HTML page"):
        load()
    with pytest.raises(SourceError, match="HTTP 404"):
        load()
