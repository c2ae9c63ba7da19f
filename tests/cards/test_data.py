"""The site's choice of years and its coverage figure, on a warehouse built in memory."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.read.cards.data import PillarCoverage, edition_years


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(
        "create table scorecard_city as select * from (values "
        "('a', 2023, 50.0), ('a', 2024, 60.0), ('a', 2025, 70.0), ('b', 2025, null)) "
        "as t(city_id, year, overall_score)"
    )
    return con


def test_without_an_edition_the_newest_ranked_year_is_the_headline(con):
    years = edition_years(con)
    assert [(y.year, y.is_headline, y.is_partial) for y in years] == [
        (2025, True, False),
        (2024, False, False),
        (2023, False, False),
    ]


def test_the_editions_headline_and_partial_years_are_read_when_published(con):
    con.execute(
        "create table scorecard_edition as select * from (values "
        "(2023, false, 4, 4), (2024, true, 4, 4), (2025, false, 2, 4)) "
        "as t(year, is_headline_year, pillars_scored, pillars_total)"
    )
    years = {y.year: y for y in edition_years(con)}
    assert years[2024].is_headline and years[2024].label == "headline"
    assert years[2025].is_partial and years[2025].label == "partial"
    assert not years[2023].is_partial and years[2023].label == ""
    con.execute("alter table scorecard_edition add column is_partial boolean default false")
    con.execute("update scorecard_edition set is_partial = year = 2023")
    years = {y.year: y for y in edition_years(con)}
    assert years[2023].is_partial and not years[2025].is_partial


def test_a_headline_year_column_is_read_too(con):
    con.execute(
        "create table scorecard_edition as select * from (values (2023, 2023), (2024, 2023), "
        "(2025, 2023)) as t(year, headline_year)"
    )
    assert [y.year for y in edition_years(con) if y.is_headline] == [2023]


def test_coverage_is_out_of_the_registry():
    assert PillarCoverage(1, 4).text == "1 of 4 indicators (25%)"
    assert PillarCoverage(1, 1).text == "1 of 1 indicator (100%)"
    assert PillarCoverage(0, 0).text == "no indicator in the registry"
