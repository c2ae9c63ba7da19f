"""The dbt project as Dagster assets: one invocation of `dbt build` per run, models and tests."""

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines.settings import DBT_PROJECT_DIR, load_settings
from pipelines.source_assets import WAREHOUSE_POOL

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class CitydipTranslator(DagsterDbtTranslator):
    """Staging models read as `staging`; seeds, intermediate models and marts as `scorecard`.

    Intermediate models read marts (fct_observation, dim_*), so grouping them with staging
    would draw a back-edge scorecard -> staging in the UI; the groups must flow one way.
    """

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        folders = dbt_resource_props.get("fqn", [])[1:-1]
        return "staging" if folders and folders[0] == "staging" else "scorecard"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        """Owners from the model's dbt `meta`, else the citydip team like every other asset."""
        return super().get_owners(dbt_resource_props) or ["team:citydip"]


def dbt_vars() -> dict:
    """dbt vars from CITYDIP_DBT_VARS (a JSON object), e.g. '{"normalisation": "z_score"}'."""
    return json.loads(os.environ.get("CITYDIP_DBT_VARS") or "{}")


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=CitydipTranslator(),
    pool=WAREHOUSE_POOL,
)
def citydip_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Seeds, staging, intermediate and marts with their tests, in the working database."""
    settings = load_settings()
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    os.environ["CITYDIP_BUILD_DB"] = str(settings.build_db)
    args = ["build"]
    if dbt_vars():
        args += ["--vars", json.dumps(dbt_vars())]
    yield from dbt.cli(args, context=context).stream()
