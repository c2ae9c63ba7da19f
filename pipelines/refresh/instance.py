"""The persistent Dagster instance the CLI and `make ui` share (DAGSTER_HOME, default .dagster/).

It is opened by its path (Settings.dagster_home), not through the DAGSTER_HOME variable, so
nothing here writes the environment.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

DEFAULT_DAGSTER_YAML = """\
# citydip's Dagster instance: local SQLite storage under this folder.
# Every writer of the working DuckDB database shares the pool `citydip_warehouse` (limit 1).
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
  runs:
    max_concurrent_runs: 1
"""


def prepare_dagster_home(path: Path) -> Path:
    """Create the instance folder with citydip's dagster.yaml, unless it has one already."""
    path.mkdir(parents=True, exist_ok=True)
    config = path / "dagster.yaml"
    if not config.exists():
        config.write_text(DEFAULT_DAGSTER_YAML)
    return path


def get_instance(dagster_home: Path) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(prepare_dagster_home(dagster_home)))


if __name__ == "__main__":  # `make setup`: DAGSTER_HOME's dagster.yaml
    from pipelines.settings import load_settings

    prepare_dagster_home(load_settings().dagster_home)
