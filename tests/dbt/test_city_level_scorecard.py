"""The scorecard measures cities (issue: "A scorecard an expert would sign"), read from the
published warehouse of one offline refresh (the session's shared `published_home`)."""

from __future__ import annotations

import duckdb
import pytest
from rich.console import Console

from pipelines.cli.refresh import print_top
from pipelines.read.city_card import headline_year, load_card
from pipelines.read.reader import open_published
from tests.seeds import pillar_names

OWN_GEOGRAPHIES = ("city", "metro", "agglomeration")


@pytest.fixture(scope="module")
def con(published_home):
    """The published file opened as every reader opens it (the console and cards share it)."""
    with open_published(published_home / "citydip.duckdb") as connection:
        yield connection


@pytest.fixture(scope="module")
def year(con) -> int:
    return headline_year(con)


def test_every_pillar_is_scored_for_every_city_in_the_headline_year(con, year):
    cities = con.execute("select count(*) from dim_city").fetchone()[0]
    rows = con.execute(
        "select pillar, count(score) from scorecard_pillar where year = ? group by pillar",
        [year],
    ).fetchall()
    assert dict(rows) == {
        pillar: cities for (pillar,) in con.execute("select pillar from dim_pillar").fetchall()
    }
    ranked = con.execute(
        "select count(overall_rank) from scorecard_city where year = ?", [year]
    ).fetchone()[0]
    assert ranked == cities


def test_each_pillar_has_three_city_level_indicators_with_seven_cities(con, year):
    rows = con.execute(
        f"""
        select s.pillar, s.indicator_id, count(distinct s.city_id) as cities
        from scorecard_indicator as s
        inner join dim_indicator as i using (indicator_id)
        where s.year = ? and i.geography in {OWN_GEOGRAPHIES}
        group by all
        having count(distinct s.city_id) >= 7
        """,
        [year],
    ).fetchall()
    per_pillar: dict[str, list[str]] = {}
    for pillar, indicator, _ in rows:
        per_pillar.setdefault(pillar, []).append(indicator)
    pillars = [p for (p,) in con.execute("select pillar from dim_pillar").fetchall()]
    assert {p: len(per_pillar.get(p, [])) >= 3 for p in pillars} == dict.fromkeys(pillars, True)


def test_no_national_figure_is_divided_or_stands_in_unless_a_national_host(con):
    """Every scored value of a city that is not a city-state is its own figure; a national one
    only for an indicator the registry marks as hosted by that one city, never divided."""
    national = con.execute(
        """
        select s.city_id, s.indicator_id, s.year, s.is_proxy, s.denominator_value,
               i.geography, i.denominator
        from scorecard_indicator as s
        inner join dim_city as c using (city_id)
        inner join dim_indicator as i using (indicator_id)
        where not c.is_city_state and s.geo_level = 'country'
        """
    ).fetchall()
    assert national, "the market capitalisation proxies should be here"
    for city, indicator, year, is_proxy, denominator_value, geography, denominator in national:
        assert is_proxy, (city, indicator, year)
        assert geography == "national_host", (city, indicator)
        assert denominator_value is None and denominator is None, (city, indicator, year)
    own = con.execute(
        """
        select count(*) from scorecard_indicator as s
        inner join dim_city as c using (city_id)
        where not c.is_city_state and s.geo_level <> 'country' and s.is_proxy
        """
    ).fetchone()[0]
    assert own == 0
    divided = con.execute(
        """
        select s.city_id, s.indicator_id, s.geo_level from scorecard_indicator as s
        where s.denominator_value is not null and s.geo_level = 'country'
        """
    ).fetchall()
    assert divided == []


def test_countries_with_two_hosts_get_no_proxy(con):
    """China (Shanghai and Shenzhen exchanges) and the UAE (Dubai, Abu Dhabi): no stand-in."""
    rows = con.execute(
        "select distinct city_id from scorecard_indicator where is_proxy "
        "and city_id in ('shanghai', 'dubai')"
    ).fetchall()
    assert rows == []


def test_national_series_stay_in_fct_observation_as_context(con):
    context = con.execute(
        """
        select count(*) from fct_observation as o
        inner join dim_indicator as i using (indicator_id)
        where i.geography = 'country' and not i.is_scored
        """
    ).fetchone()[0]
    scored = con.execute(
        """
        select count(*) from scorecard_indicator as s
        inner join dim_indicator as i using (indicator_id)
        where i.geography = 'country'
        """
    ).fetchone()[0]
    assert context > 0 and scored == 0


def test_concordance_with_two_overall_indices_and_gfci(con, year):
    rows = con.execute(
        "select compares, index_id, n_cities, spearman_rho, kendall_tau_b "
        "from scorecard_concordance where year = ?",
        [year],
    ).fetchall()
    overall = {index for compares, index, *_ in rows if compares == "overall"}
    assert len(overall) >= 2
    [(gfci_pillar,)] = con.execute(
        "select distinct pillar from dim_indicator where source_id = 'gfci' and is_scored"
    ).fetchall()
    assert (gfci_pillar, "gfci") in {(c, i) for c, i, *_ in rows}
    for _, _, n, rho, tau in rows:
        assert n >= 3 and -1 <= rho <= 1 and -1 <= tau <= 1


def test_the_rank_interval_varies_the_method(con, published_home):
    """The draws behind rank_p05..rank_p95 vary normalisation, imputation, aggregation and leave
    one indicator out (the working database keeps the draws)."""
    build = published_home / "build" / "citydip_build.duckdb"
    with duckdb.connect(str(build), read_only=True) as working:
        choices = working.execute(
            "select count(distinct normalisation), count(distinct imputation), "
            "count(distinct aggregation), count(distinct left_out_indicator) "
            "from intermediate.int_sensitivity_draws_ranked"
        ).fetchone()
    assert choices[:3] == (3, 2, 2) and choices[3] > 10
    inside = con.execute(
        "select count(*) from scorecard_city where is_headline_year and rank_p05 is not null "
        "and rank_p05 <= rank_median and rank_median <= rank_p95"
    ).fetchone()[0]
    assert inside == con.execute("select count(*) from dim_city").fetchone()[0]


def test_latest_scorecard_is_the_headline_year_with_its_caveats(con, year):
    rows = con.execute(
        "select distinct year, edition_pillars_scored, edition_proxy_share, "
        "edition_data_year_min from latest_scorecard"
    ).fetchall()
    assert len(rows) == 1
    got_year, pillars, proxy_share, oldest = rows[0]
    assert got_year == year and pillars == len(pillar_names())
    assert 0 <= proxy_share < 0.5 and oldest <= year


def test_console_and_cards_show_the_caveats(con, year, published_home):
    console = Console(record=True, width=200)
    print_top(console, published_home / "citydip.duckdb")
    text = console.export_text()
    assert f"citydip scorecard {year}" in text
    pillars = len(pillar_names())
    assert f"{pillars} of {pillars} pillars scored" in text and "national proxies" in text
    assert "rank interval" in text and "data years" in text
    card = load_card(con, "new-york")
    assert card.year == year
    assert card.caveats is not None and "national proxies" in card.caveats.line
    assert card.proxy_share and card.proxy_share > 0  # NYSE and Nasdaq: the one national host
    page = (published_home / "cards" / "index.html").read_text()
    assert 'id="caveats"' in page and "national proxies" in page


def test_units_read_as_the_geography_they_measure(con):
    units = dict(con.execute("select indicator_id, unit from dim_indicator").fetchall())
    assert units["intl_visitor_spending"] == "USD current"
    assert "per capita" not in " ".join(units.values())
