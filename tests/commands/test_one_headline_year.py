"""One edition, one headline year: the console after a refresh, `citydip card`, `compare`,
`explain`, the `latest_scorecard` view and the cards site agree on the year and on each city's
rank, and say which year it is."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.main import main


@pytest.fixture(scope="module")
def edition(published_home: Path):
    """(headline year, [(rank, city id, city name)]) from scorecard_edition and latest_scorecard."""
    with duckdb.connect(str(published_home / "citydip.duckdb"), read_only=True) as con:
        year = con.execute("select headline_year from scorecard_edition limit 1").fetchone()[0]
        flagged = con.execute(
            "select year from scorecard_edition where is_headline_year"
        ).fetchall()
        assert flagged == [(year,)]
        ranks = con.execute(
            "select overall_rank, city_id, city_name, year from latest_scorecard "
            "where overall_rank is not null order by overall_rank"
        ).fetchall()
    assert {r[3] for r in ranks} == {year}
    return year, [r[:3] for r in ranks]


def test_the_rule_picks_the_year_with_most_ranked_cities_then_pillars_then_newest(published_home):
    with duckdb.connect(str(published_home / "citydip.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select year, cities_ranked, pillars_scored, is_headline_year, is_partial "
            "from scorecard_edition"
        ).fetchall()
    best = max(rows, key=lambda r: (r[1], r[2], r[0]))
    assert best[3] and not best[4]
    assert all(r[4] == (r[2] < max(x[2] for x in rows)) for r in rows)


def test_console_card_compare_explain_and_cards_agree(
    edition, shared_warehouse, reader_env, capsys
):
    year, ranks = edition
    n = len(ranks)
    console = shared_warehouse.refresh.stdout
    assert f"citydip scorecard {year} (the edition's headline year)" in " ".join(console.split())
    assert f"edition {year} (headline year)" in console
    console_ranks = re.findall(r"│\s+(\d+) │ ([A-Za-z ]+?)\s+│", console)
    assert [(int(r), name) for r, name in console_ranks] == [(r, name) for r, _, name in ranks]

    for rank, city_id, name in ranks:
        assert main(["card", city_id]) == 0
        out = capsys.readouterr().out
        assert f"{name} — {year} (headline year)" in out and f"rank {rank} of {n}" in out
        assert main(["explain", city_id, "--quiet"]) == 0
        assert main(["explain", city_id]) == 0
        out = capsys.readouterr().out
        assert f"{name} — {year} (headline year)" in out and f"rank {rank} of {n}" in out

    (r1, a, a_name), (r2, b, b_name) = ranks[0], ranks[-1]
    assert main(["compare", a, b]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"{a_name} vs {b_name} — {year} (headline year)" in out
    assert f"{r1} of {n}" in out and f"{r2} of {n}" in out

    cards = shared_warehouse.home / "cards"
    index = (cards / "index.html").read_text()
    assert f"scorecard {year}" in index and f"edition {year} (headline year)" in index
    rows = re.findall(r'<td class="num">(\d+)</td>\s*<td><a href="[^"]+">([^<]+)</a>', index)
    assert [(int(r), name) for r, name in rows] == [(r, name) for r, _, name in ranks]


def test_another_year_is_opt_in_and_labelled_partial(published_home, reader_env, capsys):
    with duckdb.connect(str(published_home / "citydip.duckdb"), read_only=True) as con:
        partial = con.execute(
            "select year, partial_reason from scorecard_edition where is_partial "
            "and cities_ranked > 1 order by year desc limit 1"
        ).fetchone()
        changes = con.execute(
            "select count(*) from scorecard_city as c join scorecard_edition as e using (year) "
            "where e.is_partial and c.overall_score_change is not null"
        ).fetchone()[0]
    assert changes == 0  # no year-on-year change across a partial year: not like with like
    if partial is None:
        pytest.skip("no partial year with a ranking in this edition")
    year, why = partial
    assert main(["explain", "london", "--year", str(year)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"London — {year} (not the headline year" in out and why in out
