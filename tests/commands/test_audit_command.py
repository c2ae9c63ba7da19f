"""`citydip audit`: the statistical audit of the headline edition, from the published marts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines.cli.main import main
from pipelines.cli.reading import EXIT_NO_WAREHOUSE
from tests.seeds import pillar_names


def rows(home: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "citydip.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


HEADLINE = "(select year from scorecard_edition where is_headline_year)"


def test_audit_lists_every_pillars_alpha_the_flagged_pairs_and_the_sobol_indices(
    reader_env, capsys
):
    alphas = rows(
        reader_env,
        "select p.pillar_name, a.cronbach_alpha from audit_pillar_coherence a "
        f"join dim_pillar p on p.pillar = a.aggregate where a.year = {HEADLINE}",
    )
    flagged = rows(
        reader_env,
        "select component_a, component_b from audit_correlation where component_a < component_b "
        f"and (is_collinear or is_negative_within_pillar) and year = {HEADLINE}",
    )
    (top_factor,) = rows(
        reader_env,
        "select factor, total_order from audit_sobol where output = 'average_rank_shift' "
        f"and year = {HEADLINE} order by total_order desc limit 1",
    )
    assert len(alphas) == 4 and flagged
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    for name, alpha in alphas:
        assert any(name.split()[0] in line and f"{alpha:.2f}" in line for line in lines)
    for a, b in flagged:
        assert any(a[:20] in line and b[:20] in line for line in lines)
    assert "Sobol indices on the average rank shift" in out
    assert f"{top_factor[1]:.2f} ±" in out
    assert "N = 512 base samples" in out


def test_audit_city_shows_every_factor_on_that_citys_rank(reader_env, capsys):
    factors = rows(
        reader_env,
        "select count(*) from audit_sobol where city_id = 'hong-kong' "
        f"and year = {HEADLINE} and total_order is not null",
    )[0][0]
    assert main(["audit", "--city", "Hong Kong"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("Sobol indices on Hong Kong's rank") : out.index("N = ")]
    assert table.count(" ± ") == 2 * factors


def test_audit_json_is_the_whole_audit(reader_env, capsys):
    assert main(["audit", "--format", "json"]) == 0
    audit = json.loads(capsys.readouterr().out)
    (year,) = rows(reader_env, f"select {HEADLINE}")[0]
    assert audit["year"] == year
    assert {c["aggregate"] for c in audit["coherence"]} >= {*pillar_names(), "overall"}
    size = len(audit["components"])
    assert len(audit["correlation_matrix"]) == size
    assert all(len(row) == size and None not in row for row in audit["correlation_matrix"])
    assert audit["average_rank_shift"][0]["total_order"] > 0
    assert {c["city_name"] for c in audit["cities"]} >= {"Hong Kong", "Singapore"}
    assert audit["evaluations"] == 512 * (len(audit["average_rank_shift"]) + 2)


def test_an_edition_without_the_audit_says_so(published_home, tmp_path, monkeypatch, capsys):
    shutil.copy(published_home / "citydip.duckdb", tmp_path / "citydip.duckdb")
    with duckdb.connect(str(tmp_path / "citydip.duckdb")) as con:
        con.execute("drop table audit_sobol")
    monkeypatch.setenv("CITYDIP_HOME", str(tmp_path))
    assert main(["audit"]) == EXIT_NO_WAREHOUSE
    assert "no statistical audit" in capsys.readouterr().err


def test_the_audit_command_reads_the_marts_without_importing_the_statistics():
    """SALib, scipy and pipelines.audit run in the dbt build, never at CLI start-up."""
    code = (
        "import sys; from pipelines.cli.main import build_parser; build_parser(); "
        "import pipelines.cli.audit, pipelines.read.audit; "
        "print(sorted(m for m in ('SALib', 'scipy', 'pipelines.audit') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
