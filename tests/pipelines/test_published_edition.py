"""The published file describes itself: `_citydip_meta`, dbt docs as comments, analyst views."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime

import dagster as dg
import duckdb
import pytest
import yaml

from pipelines.defs.publish import ANALYST_VIEWS, MARTS
from pipelines.editions.history import kept_tables
from tests.conftest import REPO


@pytest.fixture(scope="module")
def con(published_home):
    with duckdb.connect(str(published_home / "citydip.duckdb"), read_only=True) as con:
        yield con


def meta(con, section: str) -> dict:
    return {
        name: (value, fetched_at, rows)
        for name, value, fetched_at, rows in con.execute(
            "select name, value, fetched_at, row_count from _citydip_meta where section = ?",
            [section],
        ).fetchall()
    }


def test_edition_names_time_commit_and_dbt_vars(con):
    edition = meta(con, "edition")
    datetime.fromisoformat(edition["published_at"][0])
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    assert edition["git_commit"][0] == head.stdout.strip()
    dbt_vars = json.loads(edition["dbt_vars"][0])
    defaults = yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    assert dbt_vars["max_data_age"] == defaults["max_data_age"]  # the project default
    assert {k: json.loads(v[0]) for k, v in meta(con, "dbt_var").items()} == dbt_vars


def test_sources_carry_their_payload_hash_and_fetch_time(con):
    expected = {
        source: (sha, fetched_at, n)
        for source, sha, fetched_at, n in con.execute(
            "select source_id, payload_sha256, max(fetched_at), count(*) "
            "from fct_observation group by all"
        ).fetchall()
    }
    assert {"worldbank", "qs_rankings", "gfci"} <= set(expected)
    assert meta(con, "source") == expected


def test_the_edition_holds_the_dbt_models_tagged_published(con):
    """What is published is declared in the dbt project (tag `published`): the marts as tables,
    the analyst views as views that work in the published file on its own."""
    relations = dict(
        con.execute(
            "select table_name, table_type from information_schema.tables "
            "where table_name <> '_citydip_meta'"
        ).fetchall()
    )
    # beside the marts, the editions' history the publish carries over (issue 13)
    assert set(relations) - set(kept_tables()) == set(MARTS)
    assert relations["latest_scorecard"] == relations["indicator_timeseries"] == "VIEW"
    # every mart a table, the panel-sized ones too (views in the working database)
    assert {relations[mart] for mart in set(MARTS) - set(ANALYST_VIEWS)} == {"BASE TABLE"}
    assert relations["fct_observation"] == relations["scorecard_indicator"] == "BASE TABLE"


def test_row_counts_match_the_tables(con):
    tables = meta(con, "table")
    published = con.execute(
        "select table_name from duckdb_tables() where table_name <> '_citydip_meta'"
    ).fetchall()
    assert set(tables) == {name for (name,) in published}
    for table, (_, _, rows) in tables.items():
        if table in kept_tables():
            continue  # the editions' history: an anomaly table may well be empty
        assert con.execute(f'select count(*) from "{table}"').fetchone()[0] == rows > 0


def test_every_published_table_view_and_column_has_a_comment(con):
    relations = con.execute(
        "select table_name, comment from duckdb_tables() union all "
        "select view_name, comment from duckdb_views() where not internal"
    ).fetchall()
    assert {"_citydip_meta", "latest_scorecard", "indicator_timeseries", *MARTS} <= {
        name for name, _ in relations
    }
    assert set(kept_tables()) <= {name for name, _ in relations}  # the editions' tables too
    assert [name for name, comment in relations if not comment] == []
    undocumented = con.execute(
        "select table_name || '.' || column_name from duckdb_columns() "
        "where not internal and (comment is null or comment = '')"
    ).fetchall()
    assert undocumented == []
    assert (
        con.execute(
            "select comment from duckdb_columns() where table_name = 'dim_city' "
            "and column_name = 'is_city_state'"
        )
        .fetchone()[0]
        .startswith("True where the country figure is the city's own")
    )


def test_latest_scorecard_is_the_newest_scored_year_of_each_city(con):
    rows = con.execute("select city_id, year from latest_scorecard").fetchall()
    newest = dict(
        con.execute(
            "select city_id, max(year) from scorecard_city where overall_score is not null "
            "group by 1"
        ).fetchall()
    )
    assert dict(rows) == newest and len(rows) == len(newest)


def test_indicator_timeseries_is_long_form_of_the_indicator_scores(con):
    count = con.execute("select count(*) from indicator_timeseries").fetchone()[0]
    assert count == con.execute("select count(*) from scorecard_indicator").fetchone()[0]
    columns = {
        c
        for (c,) in con.execute(
            "select column_name from (describe indicator_timeseries)"
        ).fetchall()
    }
    assert {"city_name", "indicator_name", "year", "data_year", "value", "is_proxy"} <= columns


def test_publish_runs_only_downstream_of_every_blocking_check():
    """A failing blocking check (pandera or dbt test) stops every asset downstream of it."""
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    upstream = dg.AssetSelection.assets("published_warehouse").upstream().resolve(graph)
    specs = [s for a in [*defs.assets, *defs.asset_checks] for s in getattr(a, "check_specs", [])]
    blocking = [s for s in specs if s.blocking]  # plausibility checks only warn
    assert len(blocking) > 10
    assert {s.name for s in specs if not s.blocking} == {
        "plausible_year_on_year",
        "plausible_revision",
        "no_dropped_geographies",
        # a dbt test of severity warn: a published index may rank a city outside the seed
        "relationships_published_indices_city_id__city_id__ref_cities_",
        # the audit's numpy scorecard model reproduces the scorecard: a divergence is reported
        # on the audit, it does not hold back the edition
        "expression_is_true_audit_sobol_base_case_value_scorecard_value",
        # anomalies between editions (issue 13), on published_warehouse itself
        "edition_disappeared_observation",
        "edition_revision_beyond_tolerance",
        "edition_jump_vs_history",
        "edition_rank_outside_interval",
    }
    for spec in blocking:
        assert spec.key.asset_key in upstream, spec.key
    cards_upstream = dg.AssetSelection.assets("scorecard_cards").upstream().resolve(graph)
    assert dg.AssetKey("published_warehouse") in cards_upstream
