"""A live OpenFlights refresh against a local mirror: bad files change nothing, good ones load."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from tests.conftest import citydip_in_process
from tests.published import copy_published
from tests.sources.test_openflights import ROUTES, airports_file


def openflights_rows(published: Path) -> dict[tuple[str, str], float]:
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select indicator_id, geo_id, value from fct_observation "
            "where source_id = 'openflights'"
        ).fetchall()
    return {(i, g): v for i, g, v in rows}


@pytest.fixture(scope="module")
def home(shared_warehouse, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A copy of the session's shared home (an offline refresh)."""
    return copy_published(shared_warehouse, tmp_path_factory.mktemp("openflights_live"))


def live(env: dict[str, str], server: HTTPServer) -> object:
    return citydip_in_process(
        "refresh",
        "--live",
        "--select",
        "openflights",
        "--quiet",
        env={
            **env,
            "CITYDIP_OPENFLIGHTS_BASE_URL": server.url_for("/data"),
            "CITYDIP_HTTP_BACKOFF": "0",
        },
    )


def test_bad_then_good_live_openflights(home: dict[str, str], httpserver: HTTPServer):
    published = Path(home["CITYDIP_HOME"]) / "citydip.duckdb"
    before = openflights_rows(published)
    assert before[("intl_route_destinations", "hong-kong")] == 133  # the shipped snapshot

    httpserver.expect_request("/data/airports.dat").respond_with_data(airports_file())
    httpserver.expect_request("/data/routes.dat").respond_with_data(ROUTES + "\nCX,1,HKG")
    bad = live(home, httpserver)
    assert bad.returncode != 0
    assert "openflights" in bad.stderr and "columns" in bad.stderr
    assert openflights_rows(published) == before  # the published warehouse is unchanged

    httpserver.clear()
    httpserver.expect_request("/data/airports.dat").respond_with_data(airports_file())
    httpserver.expect_request("/data/routes.dat").respond_with_data(ROUTES)
    good = live(home, httpserver)
    assert good.returncode == 0, good.stderr[-3000:]
    after = openflights_rows(published)
    assert after[("intl_route_destinations", "hong-kong")] == 2
    assert after[("intl_destination_countries", "hong-kong")] == 2
    assert after[("intl_route_destinations", "singapore")] == 1
    assert after[("intl_route_destinations", "tokyo")] == 0
