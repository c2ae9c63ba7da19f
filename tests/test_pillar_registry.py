"""Pillars are declared once (issue 14): the seed `pillars` names them, and every other file of
code, configuration or tests reads them from there (scorecard_city's columns through the dbt
macro pillar_keys, the console and the cards through dim_pillar, the tests through the seed)."""

from __future__ import annotations

import subprocess

from tests.conftest import REPO
from tests.seeds import pillar_names


def test_no_code_configuration_or_test_names_a_pillar():
    """Only the seeds (pillars.csv declares the pillars; indicators.csv and published_indices.csv
    refer to them by key) and prose (*.md) may spell a pillar's key or name."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    files = [
        path
        for path in tracked.split("\0")
        if path
        and not path.endswith(".md")
        and not (path.startswith("dbt_project/seeds/") and path.endswith(".csv"))
        and (REPO / path).is_file()
    ]
    assert "dbt_project/models/marts/scorecard_city.sql" in files
    words = [word for key, name in pillar_names().items() for word in (key, name)]
    naming = {}
    for path in files:
        content = (REPO / path).read_bytes()
        if found := [word for word in words if word.encode() in content]:
            naming[path] = found
    assert naming == {}
