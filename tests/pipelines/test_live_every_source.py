"""`citydip refresh --live` on a fresh home with every source pointed at one local server.

Each source that ships a snapshot is served its own snapshot bytes at the paths its live client
requests (tests/reliability/providers.py); what only a live fetch asks for is served as in the
sources' own tests: SPARQL results for wikidata (it ships no snapshot) and OpenAlex's works counts
(the live-only co-authorship share).
The published `fct_observation` must hold, per source, exactly the rows the source's client and
parser make of the served payload, stamped with that payload's hash (its URLs are the local
server's, so a snapshot read by mistake would not match), and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from sources import SOURCES
from sources.http import make_session
from tests.conftest import citydip_in_process
from tests.reliability.providers import serve_all
from tests.sources import test_openalex, test_wikidata

ROW = "source_id, indicator_id, geo_id, period, value, payload_sha256"


def published_rows(published: Path) -> set[tuple]:
    with duckdb.connect(str(published), read_only=True) as con:
        return set(con.execute(f"select {ROW} from fct_observation").fetchall())


def served_rows() -> set[tuple]:
    """What each source's own client and parser make of the served payloads, in this process."""
    rows = set()
    for source in SOURCES.values():
        frame = source.observations(source.fetch_live(make_session(retries=0, backoff=0)))
        rows |= set(frame[ROW.split(", ")].itertuples(index=False, name=None))
    return rows


@pytest.fixture(scope="module")
def live_refresh(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("live_every_source")
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        env = serve_all(server)
        del env["CITYDIP_LIVE_SOURCES"]  # --live makes every source live
        env["CITYDIP_WIKIDATA_BASE_URL"] = server.url_for(test_wikidata.PATH)
        test_wikidata.serve(server)
        server.expect_request("/openalex/works").respond_with_handler(test_openalex.works_counts())
        env |= {
            "CITYDIP_HOME": str(root / "home"),
            "DAGSTER_HOME": str(root / "dagster"),
            "CITYDIP_HTTP_RETRIES": "0",
            "CITYDIP_COMTRADE_KEY": "",
        }
        result = citydip_in_process("refresh", "--live", "--quiet", env=env)
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            expected = served_rows()
        yield result, root / "home" / "citydip.duckdb", expected, server
    finally:
        server.stop()


def test_every_source_is_fetched_from_the_local_server(live_refresh):
    result, _, _, server = live_refresh
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert result.stdout == ""  # --quiet: a refresh that succeeds prints nothing
    requested = {request.path.split("/")[1] for request, _ in server.log}
    assert requested >= set(SOURCES) - {"wikidata"}
    assert "sparql" in requested


def test_fct_observation_holds_exactly_the_served_values(live_refresh):
    result, published, expected, _ = live_refresh
    assert result.returncode == 0, result.stderr[-3000:]
    rows = published_rows(published)
    assert {row[0] for row in rows} == set(SOURCES)  # every source, wikidata included
    assert rows == expected
