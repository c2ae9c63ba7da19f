"""The cards site: rendered by the refresh from the published file, escaped, degrading cleanly."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.cards.site import build_site, page_name
from pipelines.cli import main


def ranked(home: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(home / "citydip.duckdb"), read_only=True) as con:
        return con.execute(
            "select city_id, city_name from scorecard_city "
            "where year = (select max(year) from scorecard_city) order by overall_rank, city_name"
        ).fetchall()


def test_refresh_renders_an_index_and_a_page_per_city(published_home):
    cards = published_home / "cards"
    cities = ranked(published_home)
    index = (cards / "index.html").read_text()
    positions = [index.index(f">{name}</a>") for _, name in cities]
    assert positions == sorted(positions)  # in rank order
    for city_id, name in cities:
        page = (cards / f"{city_id}.html").read_text()
        assert f"<h1>{name}</h1>" in page
    assert "<svg" in index and "<script" not in index and "http" not in index.split("<main>")[0]


def test_city_page_shows_indicators_with_provenance_and_badges(published_home):
    page = (published_home / "cards" / "tokyo.html").read_text()
    assert "Indicators behind each pillar" in page
    assert re.search(r"from worldbank payload [0-9a-f]{12}, fetched \d{4}-\d\d-\d\d", page)
    assert '<span class="badge proxy">proxy</span>' in page
    assert "<polyline" in page  # the trend chart


@pytest.fixture
def edited_copy(published_home: Path, tmp_path: Path) -> Path:
    """A copy of the edition with a hostile city name and the newer method marts added."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(published_home / "citydip.duckdb", home / "citydip.duckdb")
    with duckdb.connect(str(home / "citydip.duckdb")) as con:
        hostile = "<script>alert(1)</script> & Hong Kong"
        con.execute("update dim_city set city_name = ? where city_id = 'hong-kong'", [hostile])
        con.execute(
            "update scorecard_city set city_name = ? where city_id = 'hong-kong'", [hostile]
        )
        # shapes of the marts the methodology work adds; numbers derived from this edition
        con.execute(
            """
            create table scorecard_contribution as
            select city_id, year, pillar, indicator_id,
                   normalised_score * weight / sum(weight) over (partition by city_id, year, pillar)
                       as contribution_to_pillar,
                   normalised_score / 10 as contribution_to_overall,
                   source_id, payload_sha256, data_year, is_imputed, is_proxy, is_approximate
            from scorecard_indicator
            """
        )
        con.execute(
            """
            create table scorecard_sensitivity as
            select city_id, year, overall_rank as rank_median,
                   greatest(overall_rank - 1, 1) as rank_p05, overall_rank + 1 as rank_p95,
                   100 as draws
            from scorecard_city
            """
        )
    return home


def test_html_is_escaped(edited_copy, tmp_path):
    build_site(edited_copy / "citydip.duckdb", tmp_path / "cards")
    for page in (tmp_path / "cards").iterdir():
        assert "<script>" not in page.read_text()
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Hong Kong"
        in (tmp_path / "cards" / "hong-kong.html").read_text()
    )


def test_contributions_and_rank_intervals_show_when_published(
    edited_copy, tmp_path, monkeypatch, capsys
):
    build_site(edited_copy / "citydip.duckdb", tmp_path / "cards")
    page = (tmp_path / "cards" / "hong-kong.html").read_text()
    assert "to overall" in page and "not published in this edition" not in page
    rank = next(i for i, (c, _) in enumerate(ranked(edited_copy), 1) if c == "hong-kong")
    assert f"{max(rank - 1, 1)}–{rank + 1}" in page
    monkeypatch.setenv("CITYDIP_HOME", str(edited_copy))
    assert main(["card", "hong-kong"]) == 0
    out = capsys.readouterr().out
    assert "90% interval" in out and "top contributions" in out
    assert main(["explain", "hong-kong"]) == 0
    assert "overall pts" in capsys.readouterr().out


def test_without_the_newer_marts_those_parts_are_left_out(published_home):
    page = (published_home / "cards" / "hong-kong.html").read_text()
    assert "not published in this edition" in page and "to overall" not in page


def test_city_ids_must_be_safe_file_names():
    assert page_name("hong-kong") == "hong-kong.html"
    with pytest.raises(ValueError):
        page_name("../etc/passwd")
