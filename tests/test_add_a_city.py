"""Cities by one row: two real cities (Sydney, Zurich) added to a copy of the repository's city
seed are picked up by `citydip refresh` alone (it re-parses the dbt project when the seed is
newer than the manifest), in ONE refresh for both:

- the World Bank is served live by a local server (the API the seed drives): its requests ask
  for the new cities' countries, derived from the seed; the server answers with the shipped
  snapshot's real responses, which hold no figure for them;
- every other source is read offline from its snapshot, which has no figure for them either;
- the refresh prints, per new city, one line per source without data and why, and the city's
  status; both cities are listed unscored (dim_city.unscored_reason) and the nine others keep
  every score, rank and "of N" of the shared edition.

Before that, a row missing its last column is refused in one line naming file, line and column
(exit 2, no traceback). e2e: a cold refresh in a subprocess from the copy."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.published import home_env
from tests.test_extending import copy_of_the_repository, run

SNAPSHOTS = Path(__file__).resolve().parent.parent / "sources" / "snapshots"
# Real cities: Wikidata items, airports and city centres as Wikidata records them.
NEW_ROWS = (
    "sydney,Sydney,AUS,false,Q3130,SYD,-33.8678,151.2100\n"
    "zurich,Zurich,CHE,false,Q72,ZRH,47.3744,8.5411\n"
)
BAD_ROW = "sydney,Sydney,AUS,false,Q3130,SYD,-33.8678\n"  # no longitude
NEW = {"sydney": "Sydney", "zurich": "Zurich"}


def serve_worldbank(server: HTTPServer, asked: list[str]) -> None:
    """Every World Bank series answered with the shipped snapshot's real response."""
    manifest = json.loads((SNAPSHOTS / "worldbank" / "manifest.json").read_text())
    bodies = {p["url"].split("/indicator/")[1].split("?")[0]: p["file"] for p in manifest["parts"]}

    def answer(request: Request) -> Response:
        asked.append(request.path)
        series = request.path.rsplit("/", 1)[1]
        body = (SNAPSHOTS / "worldbank" / bodies[series]).read_bytes()
        return Response(body, content_type="application/json")

    server.expect_request(re.compile(r"/wb/country/[A-Z;]+/indicator/.+")).respond_with_handler(
        answer
    )


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("add_a_city")
    repo = copy_of_the_repository(root / "repo")
    seed = repo / "dbt_project" / "seeds" / "cities.csv"
    shipped = seed.read_text()
    env = {**home_env(root), "PYTHONPATH": str(repo)}
    refresh = [sys.executable, "-m", "pipelines.cli.main", "refresh"]

    seed.write_text(shipped + BAD_ROW)
    refused = run(refresh, repo, env)

    seed.write_text(shipped + NEW_ROWS)
    asked: list[str] = []
    with HTTPServer() as server:
        serve_worldbank(server, asked)
        live = {
            "CITYDIP_LIVE_SOURCES": "worldbank",
            "CITYDIP_WORLDBANK_BASE_URL": server.url_for("/wb"),
        }
        done = run(refresh, repo, {**env, **live})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return refused, done, asked, root / "home", len(shipped.splitlines()) + 1


@pytest.mark.e2e
def test_a_bad_seed_row_is_refused_naming_file_line_and_column(added):
    refused, _, _, _, line = added
    assert refused.returncode == 2
    message = refused.stderr.strip()
    assert message.splitlines() == [message]
    assert f"dbt_project/seeds/cities.csv, line {line}, column longitude: missing" in message
    assert "Traceback" not in refused.stderr + refused.stdout


@pytest.mark.e2e
def test_the_live_source_asks_for_the_new_cities_countries(added):
    _, _, asked, _, _ = added
    assert asked and all("AUS" in path and "CHE" in path for path in asked)


@pytest.mark.e2e
def test_the_refresh_says_which_sources_have_no_data_and_why(added):
    _, done, _, home, _ = added
    out = done.stdout
    assert "dbt project re-parsed" in out
    with duckdb.connect(str(home / "citydip.duckdb"), read_only=True) as con:
        sources = {
            s for (s,) in con.execute("select distinct source_id from fct_observation").fetchall()
        }
        held = set(
            con.execute(
                "select distinct o.source_id, c.city_id from fct_observation as o "
                "join dim_city as c on o.geo_id in (c.city_id, c.country_iso3)"
            ).fetchall()
        )
    for city_id, name in NEW.items():
        lines = [line for line in out.splitlines() if line.startswith(f"{name}: no data from ")]
        named = {line.split("no data from ", 1)[1].split(":", 1)[0] for line in lines}
        assert named == {s for s in sources if (s, city_id) not in held}, lines
        assert len(lines) == len(named)  # one line per source
        assert all(line.count(": ") >= 2 for line in lines)  # each with its reason
        assert any("fetched live" in line for line in lines if " worldbank:" in line)
        assert any("offline snapshot" in line for line in lines if " gfci:" in line)
        assert re.search(rf"{name}: not scored: observations in [0-2] of 4 pillars", out)


@pytest.mark.e2e
def test_the_new_cities_are_unscored_and_the_others_keep_their_ranks(added, published_home):
    _, done, _, home, _ = added
    query = (
        "select city_id, year, overall_rank, overall_score from scorecard_city "
        "order by city_id, year"
    )
    with duckdb.connect(str(home / "citydip.duckdb"), read_only=True) as con:
        unscored = con.execute(
            "select city_id, unscored_reason from dim_city where not is_scored order by city_id"
        ).fetchall()
        ranks = con.execute(query).fetchall()
        edition = con.execute(
            "select cities, cities_ranked from scorecard_edition where is_headline_year"
        ).fetchone()
    with duckdb.connect(str(published_home / "citydip.duckdb"), read_only=True) as con:
        shipped = con.execute(query).fetchall()
        shipped_edition = con.execute(
            "select cities, cities_ranked from scorecard_edition where is_headline_year"
        ).fetchone()
    assert [c for c, _ in unscored] == sorted(NEW)
    assert all(reason.endswith("below min_pillars 3: not scored") for _, reason in unscored)
    assert [r[:3] for r in ranks] == [r[:3] for r in shipped]
    assert all(
        (a[3] is None and b[3] is None) or abs(a[3] - b[3]) < 1e-9
        for a, b in zip(ranks, shipped, strict=True)
    )
    assert edition == shipped_edition
    assert "not scored (too little data): Sydney, Zurich" in done.stdout
