"""The persistent Dagster instance the CLI and `make ui` share (DAGSTER_HOME, default .dagster/)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.settings import REPO_ROOT

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


def dagster_home() -> Path:
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / ".dagster"))).resolve()
    os.environ["DAGSTER_HOME"] = str(home)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DEFAULT_DAGSTER_YAML)
    return home


def get_instance() -> dg.DagsterInstance:
    dagster_home()
    return dg.DagsterInstance.get()
