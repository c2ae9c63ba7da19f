"""The cards site: rendered by the refresh from the published file, escaped, degrading cleanly."""

from __future__ import annotations

import re
import shutil
from html import escape
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.main import main
from pipelines.read.cards.site import build_site, page_name
from pipelines.read.city_card import headline_year


def ranked(home: Path) -> list[tuple[str, str]]:
    """The cities of the edition's headline year in rank order."""
    with duckdb.connect(str(home / "citydip.duckdb"), read_only=True) as con:
        return con.execute(
            "select city_id, city_name from scorecard_city where year = ? "
            "and overall_score is not null order by overall_rank, city_name",
            [headline_year(con)],
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
    """A copy of the edition with a hostile city name."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(published_home / "citydip.duckdb", home / "citydip.duckdb")
    with duckdb.connect(str(home / "citydip.duckdb")) as con:
        hostile = "<script>alert(1)</script> & Hong Kong"
        con.execute("update dim_city set city_name = ? where city_id = 'hong-kong'", [hostile])
        con.execute(
            "update scorecard_city set city_name = ? where city_id = 'hong-kong'", [hostile]
        )
    return home


def test_html_is_escaped(edited_copy, tmp_path):
    build_site(edited_copy / "citydip.duckdb", tmp_path / "cards")
    for page in (tmp_path / "cards").glob("*.html"):  # the CSV keeps the name as it is
        text = page.read_text()
        assert "<script>alert" not in text
        if not page.name.startswith("compare"):  # the comparison's own script is the only one
            assert "<script" not in text, page.name
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
    with duckdb.connect(str(edited_copy / "citydip.duckdb"), read_only=True) as con:
        year = headline_year(con)  # the site renders every card for the headline year
        p05, p95 = con.execute(
            "select rank_p05, rank_p95 from scorecard_city where city_id = 'hong-kong' "
            "and year = ?",
            [year],
        ).fetchone()
    assert f"{int(p05)}–{int(p95)}" in page
    monkeypatch.setenv("CITYDIP_HOME", str(edited_copy))
    assert main(["card", "hong-kong"]) == 0
    out = capsys.readouterr().out
    assert "90% interval" in out and "top contributions" in out
    assert main(["explain", "hong-kong"]) == 0
    assert "overall pts" in capsys.readouterr().out


def test_without_the_newer_marts_those_parts_are_left_out(published_home, tmp_path):
    """An edition without the contribution and sensitivity marts still renders its cards."""
    shutil.copy(published_home / "citydip.duckdb", tmp_path / "citydip.duckdb")
    with duckdb.connect(str(tmp_path / "citydip.duckdb")) as con:
        con.execute("drop view if exists latest_scorecard")
        con.execute("drop table scorecard_contribution")
        con.execute("drop table scorecard_sensitivity")
        con.execute("alter table scorecard_city drop column rank_p05")
        con.execute("alter table scorecard_city drop column rank_p95")
    build_site(tmp_path / "citydip.duckdb", tmp_path / "cards")
    page = (tmp_path / "cards" / "hong-kong.html").read_text()
    assert "not published in this edition" in page and "to overall" not in page


def test_city_ids_must_be_safe_file_names():
    assert page_name("hong-kong") == "hong-kong.html"
    with pytest.raises(ValueError):
        page_name("../etc/passwd")


def test_the_audit_page_shows_alpha_heat_map_flags_weights_and_sobol_bars(published_home):
    cards = published_home / "cards"
    page = (cards / "audit.html").read_text()
    with duckdb.connect(str(published_home / "citydip.duckdb"), read_only=True) as con:
        year = headline_year(con)
        alphas = con.execute(
            "select cronbach_alpha from audit_pillar_coherence where year = ?", [year]
        ).fetchall()
        components = con.execute(
            "select count(distinct component_a) from audit_correlation where year = ?", [year]
        ).fetchone()[0]
        factors = con.execute(
            "select count(*) from audit_sobol where year = ? and output = 'average_rank_shift'",
            [year],
        ).fetchone()[0]
    assert f"Statistical audit {year}" in page
    for (alpha,) in alphas:
        assert f">{alpha:.2f}<" in page
    assert page.count("<title>") >= components * components  # one heat map cell per pair
    assert "negative within pillar" in page and "Effective beside nominal weights" in page
    bars = page[page.index('id="sobol-bars"') :]
    assert bars.count("<svg") == factors
    assert 'href="audit.html"' in (cards / "index.html").read_text()


def test_a_card_lists_the_citys_strengths_and_weaknesses(published_home):
    with duckdb.connect(str(published_home / "citydip.duckdb"), read_only=True) as con:
        standings = con.execute(
            "select s.kind, i.name, s.indicator_rank, s.cities_with_value "
            "from audit_city_strengths s join dim_indicator i using (indicator_id) "
            "where s.city_id = 'hong-kong' and s.year = ? order by s.kind, s.position",
            [headline_year(con)],
        ).fetchall()
    page = (published_home / "cards" / "hong-kong.html").read_text()
    section = page[page.index('id="strengths"') : page.index("<h2>Trend</h2>")]
    assert [kind for kind, *_ in standings].count("strength") == 3
    for kind, name, rank, cities in standings:
        assert f"<td>{kind}</td>\n      <td>{escape(name)}</td>" in section
        assert f"{rank} of {cities}" in section


def test_an_edition_without_the_audit_marts_has_no_audit_page(published_home, tmp_path):
    shutil.copy(published_home / "citydip.duckdb", tmp_path / "citydip.duckdb")
    with duckdb.connect(str(tmp_path / "citydip.duckdb")) as con:
        for table in ("audit_correlation", "audit_sobol", "audit_city_strengths"):
            con.execute(f"drop table {table}")
    build_site(tmp_path / "citydip.duckdb", tmp_path / "cards")
    assert not (tmp_path / "cards" / "audit.html").exists()
    assert "audit.html" not in (tmp_path / "cards" / "index.html").read_text()
    assert "Strengths and weaknesses" not in (tmp_path / "cards" / "hong-kong.html").read_text()


def test_each_indicator_shows_its_rank_among_the_cities(published_home):
    with duckdb.connect(str(published_home / "citydip.duckdb"), read_only=True) as con:
        year = headline_year(con)
        rows = con.execute(
            "select indicator_id, rank() over (partition by indicator_id "
            "order by normalised_score desc), count(*) over (partition by indicator_id), city_id "
            "from scorecard_indicator where year = ? and normalised_score is not null",
            [year],
        ).fetchall()
    ranks = [(rank, n) for _, rank, n, city in rows if city == "hong-kong"]
    cells = re.findall(
        r'<td class="num indicator-rank">([^<]*)</td>', read(published_home, "hong-kong.html")
    )
    assert sorted(cells) == sorted(f"{rank} of {n}" for rank, n in ranks)


def read(home: Path, name: str) -> str:
    return (home / "cards" / name).read_text()


def test_coverage_counts_indicators_scored_out_of_the_pillars_registry(published_home):
    with duckdb.connect(str(published_home / "citydip.duckdb"), read_only=True) as con:
        year = headline_year(con)
        registry = dict(
            con.execute(
                "select pillar, count(*) from dim_indicator where pillar is not null group by 1"
            ).fetchall()
        )
        scored = con.execute(
            "select pillar, indicators_scored from scorecard_pillar "
            "where city_id = 'hong-kong' and year = ? order by pillar",
            [year],
        ).fetchall()
    cells = re.findall(r'<td class="coverage">([^<]*)</td>', read(published_home, "hong-kong.html"))
    assert len(cells) == len(scored)
    for pillar, n in scored:
        total = registry[pillar]
        word = "indicator" if total == 1 else "indicators"
        assert f"{n} of {total} {word} ({n / total:.0%})" in cells
    assert all(c.endswith("(100%)") is (c.split()[0] == c.split()[2]) for c in cells)


def test_the_comparison_page_draws_every_ranked_city_and_reads_the_address(published_home):
    page = read(published_home, "compare.html")
    cities = ranked(published_home)
    assert "<script" in page and "location.hash" in page and "cities=" in page
    assert "http" not in page.split("<main>")[0]  # nothing loaded from the network
    dots = re.findall(r'<circle class="dot" data-city="([a-z0-9-]+)"', page)
    assert {c for c, _ in cities} == set(dots)
    rows = re.findall(r'<tr data-city="([a-z0-9-]+)">', page)
    assert rows == [c for c, _ in cities]


def test_every_ranked_year_has_pages_and_partial_years_are_labelled(published_home):
    from pipelines.read.cards.data import edition_years

    with duckdb.connect(str(published_home / "citydip.duckdb"), read_only=True) as con:
        years = edition_years(con)
        headline = headline_year(con)
    assert [y.year for y in years if y.is_headline] == [headline]
    index = read(published_home, "index.html")
    assert f"City-diplomacy scorecard {headline}" in index
    for y in years:
        if y.is_headline:
            continue
        page = read(published_home, f"index.{y.year}.html")
        assert f"City-diplomacy scorecard {y.year}" in page
        assert f'href="index.{y.year}.html"' in index
        assert ('id="partial"' in page) is y.is_partial
        assert (published_home / "cards" / f"compare.{y.year}.html").exists()
    nav = index[index.index('id="years"') : index.index("</nav>", index.index('id="years"'))]
    for y in years:
        if y.is_partial:
            assert f'>{y.year}</a>&nbsp;<span class="tag">partial</span>' in nav


def test_every_method_and_source_link_lands_on_an_anchor(published_home):
    methodology = read(published_home, "methodology.html")
    sources = read(published_home, "sources.html")
    anchors = {
        "methodology.html": set(re.findall(r'id="([^"]+)"', methodology)),
        "sources.html": set(re.findall(r'id="([^"]+)"', sources)),
    }
    page = read(published_home, "hong-kong.html")
    links = re.findall(r'href="(methodology|sources)\.html#([^"]+)"', page)
    assert {kind for kind, _ in links} == {"methodology", "sources"}
    for kind, anchor in links:
        assert anchor in anchors[f"{kind}.html"], (kind, anchor)
    assert '<h2 id="6-normalise">' in methodology and "<script" not in methodology
    assert re.search(r"payload <code>[0-9a-f]{64}</code>", sources)


def test_each_card_has_its_numbers_as_csv(published_home):
    import csv

    with duckdb.connect(str(published_home / "citydip.duckdb"), read_only=True) as con:
        year = headline_year(con)
        score, rank = con.execute(
            "select overall_score, overall_rank from scorecard_city "
            "where city_id = 'hong-kong' and year = ?",
            [year],
        ).fetchone()
        indicators = con.execute(
            "select count(*) from scorecard_indicator where city_id = 'hong-kong' and year = ?",
            [year],
        ).fetchone()[0]
    rows = list(csv.DictReader((published_home / "cards" / "hong-kong.csv").open()))
    overall = [r for r in rows if r["level"] == "overall"]
    assert len(overall) == 1 and float(overall[0]["score"]) == pytest.approx(score)
    assert int(overall[0]["rank"]) == rank and int(overall[0]["year"]) == year
    assert sum(r["level"] == "indicator" for r in rows) == indicators
    assert 'href="hong-kong.csv" download' in read(published_home, "hong-kong.html")


def test_the_card_has_a_hook_for_what_changed_since_the_last_edition():
    from pipelines.read.cards.site import environment

    env = environment()
    source = env.loader.get_source(env, "city.html.j2")[0]
    section = env.loader.get_source(env, "changes.html.j2")[0]
    assert "{% block changes %}" in source and '{% include "changes.html.j2" %}' in source
    assert 'id="changes"' in section
