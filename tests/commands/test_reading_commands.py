"""`citydip card`, `compare`, `explain`: what they print comes from the published warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.cli.main import main
from pipelines.cli.reading import EXIT_NO_WAREHOUSE, EXIT_USAGE
from tests.seeds import pillar_names


def one(home: Path, sql: str, params: list | None = None):
    with duckdb.connect(str(home / "citydip.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchone()


def test_card_shows_score_rank_pillars_and_flags(reader_env, capsys):
    year, score, rank, ranked = one(
        reader_env,
        "select year, overall_score, overall_rank, (select count(*) from scorecard_city o "
        "where o.year = c.year) from latest_scorecard c where city_id = 'hong-kong'",
    )
    assert main(["card", "hong kong"]) == 0
    out = capsys.readouterr().out
    assert f"Hong Kong — {year}" in out
    assert f"overall {score:.1f}" in out
    assert f"rank {rank} of {ranked}" in out
    assert all(name in out for name in pillar_names().values())
    assert "data-quality flags" in out


def test_card_lists_the_proxy_flag_where_a_country_figure_is_used(reader_env, capsys):
    proxies = one(
        reader_env,
        "select count(*) from scorecard_indicator where city_id = 'tokyo' and is_proxy "
        "and year = (select max(year) from scorecard_city where city_id = 'tokyo')",
    )[0]
    assert proxies > 0
    assert main(["card", "Tokyo"]) == 0
    assert f"{proxies} proxy" in capsys.readouterr().out


def test_compare_puts_two_cities_side_by_side_with_the_gap(reader_env, capsys):
    hk, sg = (
        one(reader_env, "select overall_score from latest_scorecard where city_id = ?", [c])[0]
        for c in ("hong-kong", "singapore")
    )
    assert main(["compare", "Hong Kong", "Singapore"]) == 0
    out = capsys.readouterr().out
    assert "Hong Kong vs Singapore" in out
    assert f"{hk - sg:+.1f}" in out
    assert "widest gap" in out


def test_explain_lists_indicators_with_source_year_and_payload(reader_env, capsys):
    pillar = next(iter(pillar_names()))
    latest = "(select max(year) from scorecard_city where city_id = 'hong-kong')"
    description, data_year, source, sha = one(
        reader_env,
        "select i.description, s.data_year, s.source_id, s.payload_sha256 from scorecard_indicator s "
        "join dim_indicator i using (indicator_id) where s.city_id = 'hong-kong' "
        f"and s.pillar = ? and s.year = {latest} order by s.indicator_id limit 1",
        [pillar],
    )
    [other_pillar] = one(
        reader_env,
        "select min(i.description) from scorecard_indicator s join dim_indicator i "
        f"using (indicator_id) where s.city_id = 'hong-kong' and s.pillar <> ? and s.year = {latest}",
        [pillar],
    )
    # a prefix of the key, as a user types it (e.g. `economy`)
    assert main(["explain", "hong-kong", "--pillar", pillar.split("_")[0]]) == 0
    out = capsys.readouterr().out
    assert f"{description} — {data_year} value from {source} payload {sha[:12]}" in out
    assert source in out and sha[:12] in out and str(data_year) in out
    assert other_pillar not in out


def test_unknown_city_suggests_the_closest_names(reader_env, capsys):
    assert main(["card", "Hongkong"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "unknown city 'Hongkong'" in err and "Did you mean Hong Kong" in err


def test_unknown_pillar_suggests_the_closest(reader_env, capsys):
    pillar = list(pillar_names())[-1]
    misspelled = pillar[:2] + pillar[3:]
    assert main(["explain", "Paris", "--pillar", misspelled]) == EXIT_USAGE
    assert f"Did you mean {pillar}" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "select 1"],
        ["card", "Paris"],
        ["compare", "Paris", "London"],
        ["explain", "Paris"],
        ["export", "--format", "csv", "{tmp}/out"],
    ],
)
def test_missing_warehouse_says_to_refresh_first(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CITYDIP_HOME", str(tmp_path / "empty"))
    assert main([a.format(tmp=tmp_path) for a in argv]) == EXIT_NO_WAREHOUSE
    assert "run `citydip refresh`" in capsys.readouterr().err
