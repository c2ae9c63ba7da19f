"""The dbt manifest the Dagster assets are built from, kept in step with the dbt project.

`make setup` parses the project once; a row added to a seed (a new city in
`dbt_project/seeds/cities.csv`), a model or a macro edited afterwards would otherwise be
invisible to `citydip refresh`, whose asset graph and code versions come from the manifest. So
the refresh first checks the city seed row by row (sources.cities.load_cities: a bad row stops
it with file, line and column) and re-runs `dbt parse` when any input of the manifest is newer
than it: the seed's new checksum then marks the seed and everything downstream stale.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
INPUT_FOLDERS = ("models", "seeds", "macros", "tests")
INPUT_FILES = ("dbt_project.yml", "profiles.yml")


def manifest_inputs(project: Path = DBT_PROJECT_DIR) -> list[Path]:
    """Every file `dbt parse` reads: models, seeds (the city seed among them), macros, tests."""
    files = [project / name for name in INPUT_FILES]
    for folder in INPUT_FOLDERS:
        files += sorted(p for p in (project / folder).rglob("*") if p.is_file())
    return [p for p in files if p.exists()]


def stale_inputs(project: Path = DBT_PROJECT_DIR, manifest: Path = MANIFEST) -> list[Path]:
    """The inputs newer than the manifest (every input when there is no manifest)."""
    if not manifest.exists():
        return manifest_inputs(project)
    built = manifest.stat().st_mtime
    return [p for p in manifest_inputs(project) if p.stat().st_mtime > built]


class ParseFailed(RuntimeError):
    pass


def ensure_manifest(project: Path = DBT_PROJECT_DIR, manifest: Path = MANIFEST) -> list[Path]:
    """Re-parse the dbt project when an input is newer than the manifest; return those inputs."""
    from sources.cities import load_cities

    load_cities.cache_clear()
    load_cities()  # a bad seed row raises SeedError (file, line, column) before dbt sees it
    stale = stale_inputs(project, manifest)
    if not stale:
        return []
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run(
        # the DuckDB target's manifest (the refresh's dbt build), whatever CITYDIP_ENGINE says
        [str(dbt), "parse", "--quiet", "--profiles-dir", ".", "--target", "build"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = (done.stdout + done.stderr).strip().splitlines()
        raise ParseFailed(f"dbt parse failed: {lines[-1] if lines else done.returncode}")
    manifest.touch()
    return stale
