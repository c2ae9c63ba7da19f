"""The citydip code location: every asset, check, job and resource in one Definitions.

The definitions are built from one Settings (pipelines/settings.py), given to the assets as
the `settings` resource. `defs` is built from the environment for `dg dev` and the daemon;
`citydip refresh` builds its own, e.g. with every source live for `--live`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.automation import AUTOMATION_SENSOR, automate_downstream
from pipelines.defs.cards import scorecard_cards
from pipelines.defs.dbt_cli import DbtCli
from pipelines.defs.dbt_models import DBT_PROJECT, build_dbt_models
from pipelines.defs.edition_checks import EDITION_CHECKS
from pipelines.defs.failures import failure_recorder
from pipelines.defs.payload_checks import build_payload_checks
from pipelines.defs.plausibility import build_plausibility_checks
from pipelines.defs.publish import published_warehouse
from pipelines.defs.schedules import source_schedule
from pipelines.defs.source_assets import build_source_assets, fetch_retry_policy, observations_key
from pipelines.settings import Settings, load_settings
from sources import SOURCES

REFRESH_JOB = "refresh"


def build_definitions(settings: Settings) -> dg.Definitions:
    retry = fetch_retry_policy(settings)
    source_assets = [d for source in SOURCES.values() for d in build_source_assets(source, retry)]
    checks = [
        check
        for source in SOURCES.values()
        for check in (
            build_payload_checks(source),
            build_plausibility_checks(source, observations_key(source)),
        )
    ]
    refresh = dg.define_asset_job(
        REFRESH_JOB,
        selection=dg.AssetSelection.all(),
        description="Fetch every source, validate, load, build the scorecard with dbt, publish.",
    )
    return dg.Definitions(
        assets=automate_downstream(
            [
                *source_assets,
                build_dbt_models(settings.dbt_vars),
                published_warehouse,
                scorecard_cards,
            ]
        ),
        asset_checks=[*checks, *EDITION_CHECKS],
        jobs=[refresh],
        schedules=[source_schedule(source) for source in SOURCES.values()],
        sensors=[AUTOMATION_SENSOR, failure_recorder],
        resources={
            "settings": settings,
            "duckdb": DuckDBResource(database=str(settings.build_db)),
            "dbt": DbtCli(
                project_dir=DBT_PROJECT,
                # the dbt of this environment, so it runs without an activated venv
                dbt_executable=str(Path(sys.executable).parent / "dbt"),
            ),
        },
    )


defs = build_definitions(load_settings())
