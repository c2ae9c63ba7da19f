"""The recipes of docs/extending.md, applied to a copy of the repository and refreshed once:

- a fifth pillar, one row of seed `pillars` (with one indicator moved into it), appears in
  scorecard_city, the console table and the cards, with no other file changed;
- an indicator added to an existing source (a curated publication): its registry row and its
  parser's declaration (and the figures in its CSV) make it a scored indicator;
- a new source (a curated publication): its module entry, its snapshot folder, its staging
  model (and the union's line) and its registry row make it a loaded, scored source.

The new indicator's and source's figures are test values in the temporary copy, never shipped.
e2e: a cold refresh in a subprocess, from the copy (its code and dbt project are the ones run),
about 2 minutes."""

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
NEW_INDICATOR = "gawc_connectivity_recipe"  # an indicator added to the gawc publication
NEW_SOURCE = "recipe_publication"  # a new curated publication with one indicator
NEW_SOURCE_INDICATOR = "recipe_publication_score"


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


def add_registry_row(seeds: Path, **changes: str) -> None:
    """A row of the indicator registry, like gawc_connectivity's (pillar, unit, bounds) but for
    the changed fields."""

    def add(rows: list[dict]) -> list[dict]:
        [template] = [row for row in rows if row["indicator_id"] == "gawc_connectivity"]
        return [*rows, {**template, **changes}]

    edit_seed(seeds / "indicators.csv", add)


def add_indicator_to_existing_source(repo: Path) -> None:
    """Recipe "an indicator from an existing source": the registry row and the parser's
    declaration (and the figures, in the publication's CSV)."""
    add_registry_row(
        repo / "dbt_project" / "seeds", indicator_id=NEW_INDICATOR, name="Recipe indicator"
    )
    curated = repo / "sources" / "curated.py"
    text = curated.read_text()
    declared = 'indicators={"gawc_connectivity": "index"}'
    assert declared in text
    curated.write_text(
        text.replace(
            declared, f'indicators={{"gawc_connectivity": "index", "{NEW_INDICATOR}": "index"}}'
        )
    )
    figures = repo / "sources" / "snapshots" / "gawc" / "gawc_connectivity.csv"
    edit_seed(
        figures,
        lambda rows: [*rows, *({**row, "indicator_id": NEW_INDICATOR} for row in rows)],
    )


def add_source(repo: Path) -> None:
    """Recipe "a source": its module (a publication in curated.py), its snapshot folder, its
    staging model (with its raw table and the union's line) and the registry."""
    folder = repo / "sources" / "snapshots" / NEW_SOURCE
    folder.mkdir()
    header = (repo / "sources" / "snapshots" / "gawc" / "gawc_connectivity.csv").open().readline()
    cities = [
        row["city_id"] for row in csv.DictReader((repo / "dbt_project/seeds/cities.csv").open())
    ]
    lines = [
        f"{NEW_SOURCE_INDICATOR},{city},city,2024,{10 * (i + 1)},index,false,citydip tests,"
        f"Recipe publication,https://example.org/recipe,2024,a test value\n"
        for i, city in enumerate(cities)
    ]
    (folder / "figures.csv").write_text(header + "".join(lines))
    (folder / "manifest.json").write_text(
        '{"retrieved_at": "2024-01-01T00:00:00+00:00", "parts": '
        f'[{{"file": "figures.csv", "url": "https://example.org/{NEW_SOURCE}/figures.csv"}}]}}'
    )
    curated = repo / "sources" / "curated.py"
    text = curated.read_text().replace(
        "SOURCES = (\n",
        f'RECIPE = publication(\n    {NEW_SOURCE!r},\n    title="Recipe publication",\n'
        f'    publisher="citydip tests",\n    licence="test values",\n'
        f'    indicators={{{NEW_SOURCE_INDICATOR!r}: "index"}},\n'
        f'    description="A publication added by the recipe test",\n)\n\nSOURCES = (\n    RECIPE,\n',
    )
    curated.write_text(text)
    staging = repo / "dbt_project" / "models" / "staging"
    (staging / f"stg_{NEW_SOURCE}__observations.sql").write_text(
        f"{{{{ stage_observations('{NEW_SOURCE}_observations') }}}}\n"
    )
    sources_yml = staging / "_staging__sources.yml"
    text = sources_yml.read_text()
    anchor = "      - name: gawc_observations\n"
    assert anchor in text
    sources_yml.write_text(
        text.replace(anchor, f"      - name: {NEW_SOURCE}_observations\n{anchor}")
    )
    union = repo / "dbt_project" / "models" / "intermediate" / "int_observations_unioned.sql"
    text = union.read_text()
    anchor = "    'stg_gawc__observations',\n"
    assert anchor in text
    union.write_text(text.replace(anchor, f"{anchor}    'stg_{NEW_SOURCE}__observations',\n"))

    add_registry_row(
        repo / "dbt_project" / "seeds",
        indicator_id=NEW_SOURCE_INDICATOR,
        name="Recipe publication score",
        source_id=NEW_SOURCE,
    )


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository with a fifth pillar, a new indicator of an existing source and
    a new source, refreshed once (cold, offline); its CITYDIP_HOME."""
    root = tmp_path_factory.mktemp("extended")
    repo = copy_of_the_repository(root / "repo")
    seeds = repo / "dbt_project" / "seeds"
    edit_seed(seeds / "pillars.csv", lambda rows: [*rows, NEW_PILLAR])
    edit_seed(seeds / "indicators.csv", move_indicator)
    add_indicator_to_existing_source(repo)
    add_source(repo)
    # the copy's packages first on the path: its pipelines (and dbt project) are the ones run
    env = {**home_env(root), "PYTHONPATH": str(repo)}
    dbt = Path(sys.executable).parent / "dbt"
    parsed = run([str(dbt), "parse", "--quiet", "--profiles-dir", "."], repo / "dbt_project", env)
    assert parsed.returncode == 0, parsed.stdout[-3000:]
    refresh = run([sys.executable, "-m", "pipelines.cli.main", "refresh"], repo, env)
    assert refresh.returncode == 0, refresh.stdout[-3000:] + refresh.stderr[-3000:]
    return root / "home"


@pytest.mark.e2e
@pytest.mark.parametrize("indicator", [NEW_INDICATOR, NEW_SOURCE_INDICATOR])
def test_a_new_indicator_and_a_new_source_are_loaded_and_scored(extended, indicator):
    with open_published(extended / "citydip.duckdb") as con:
        loaded = con.execute(
            "select count(*) from fct_observation where indicator_id = ?", [indicator]
        ).fetchone()[0]
        scored = con.execute(
            "select count(normalised_score) from scorecard_indicator where indicator_id = ?",
            [indicator],
        ).fetchone()[0]
    assert loaded >= 9 and scored >= 9


@pytest.mark.e2e
def test_a_fifth_pillar_row_appears_in_scorecard_city_the_console_and_the_cards(extended):
    published = extended / "citydip.duckdb"
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

    cards = extended / "cards"
    not_per_pillar = {"index.html", "methodology.html", "sources.html"}  # the docs, the sources
    pages = sorted(p for p in cards.glob("*.html") if p.name not in not_per_pillar)
    assert len(pages) >= 6
    for page in [cards / "index.html", *pages]:
        assert name in page.read_text(), page.name
