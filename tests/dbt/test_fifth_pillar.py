"""A pillar is one row of seed `pillars` (issue 14): added to a copy of the repository, with one
indicator moved into it, it appears after a refresh in scorecard_city, the console table and the
cards, with no other file changed.

e2e: a cold refresh in a subprocess, from a copy of the repository (its dbt project is the one
under test), ~2 minutes."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from pipelines.cli.refresh import print_top
from pipelines.read.city_card import headline_year
from pipelines.read.reader import open_published
from tests.conftest import REPO, TEST_ENV
from tests.published import home_env
from tests.seeds import pillar_names

NEW_PILLAR = {
    "pillar": "gastronomy",
    "pillar_name": "Gastronomy (a fifth pillar)",
    "weight": "1",
    "description": "Restaurants of international renown",
}
MOVED_INDICATOR = "michelin_starred_restaurants"


def copy_of_the_repository(target: Path) -> Path:
    """The repository's files as they are in the working tree (tracked or new, not ignored)."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for path in filter(None, files.split("\0")):
        if (REPO / path).is_file():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / path, target / path)
    return target


def edit_seed(path: Path, edit) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    rows = edit(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def move_indicator(rows: list[dict]) -> list[dict]:
    moved = [row for row in rows if row["indicator_id"] == MOVED_INDICATOR]
    assert len(moved) == 1
    moved[0]["pillar"] = NEW_PILLAR["pillar"]
    return rows


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env={**os.environ, **TEST_ENV, **env}, capture_output=True, text=True
    )


@pytest.mark.e2e
def test_a_fifth_pillar_row_appears_in_scorecard_city_the_console_and_the_cards(tmp_path):
    repo = copy_of_the_repository(tmp_path / "repo")
    seeds = repo / "dbt_project" / "seeds"
    edit_seed(seeds / "pillars.csv", lambda rows: [*rows, NEW_PILLAR])
    edit_seed(seeds / "indicators.csv", move_indicator)
    # the copy's packages first on the path: its pipelines (and dbt project) are the ones run
    env = {**home_env(tmp_path), "PYTHONPATH": str(repo)}
    dbt = Path(sys.executable).parent / "dbt"
    parsed = run([str(dbt), "parse", "--quiet", "--profiles-dir", "."], repo / "dbt_project", env)
    assert parsed.returncode == 0, parsed.stdout[-3000:]

    refresh = run([sys.executable, "-m", "pipelines.cli.main", "refresh"], repo, env)
    assert refresh.returncode == 0, refresh.stdout[-3000:] + refresh.stderr[-3000:]

    published = tmp_path / "home" / "citydip.duckdb"
    key, name = NEW_PILLAR["pillar"], NEW_PILLAR["pillar_name"]
    with open_published(published) as con:
        columns = [
            column
            for (column,) in con.execute(
                "select column_name from duckdb_columns() where table_name = 'scorecard_city' "
                "and column_name like '%\\_score' escape '\\' order by column_index"
            ).fetchall()
        ]
        year = headline_year(con)
        scored = con.execute(
            f"select count({key}_score) from scorecard_city where year = ?", [year]
        ).fetchone()[0]
        pillar_rows = con.execute(
            "select count(score) from scorecard_pillar where pillar = ? and year = ?", [key, year]
        ).fetchone()[0]
    pillars = [*pillar_names(), key]  # the seed's order: the new row last
    assert columns == ["overall_score", *(f"{pillar}_score" for pillar in pillars)]
    assert scored >= 6 and pillar_rows == scored  # the cities with starred restaurants

    console = Console(record=True, width=300)
    print_top(console, published)
    header = console.export_text().splitlines()[:4]
    assert any(name in line for line in header)

    cards = tmp_path / "home" / "cards"
    pages = sorted(p for p in cards.glob("*.html") if p.name != "index.html")
    assert len(pages) >= 6
    for page in [cards / "index.html", *pages]:
        assert name in page.read_text(), page.name
