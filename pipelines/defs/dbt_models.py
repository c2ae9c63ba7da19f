"""The dbt project as Dagster assets: one invocation of `dbt build` per run, models and tests."""

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines.defs.dbt_fingerprint import dbt_vars, project_fingerprint, python_model_fingerprint
from pipelines.defs.source_assets import WAREHOUSE_POOL
from pipelines.settings import DBT_PROJECT_DIR, load_settings

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class CitydipTranslator(DagsterDbtTranslator):
    """Staging models read as `staging`, the statistical audit (models/audit) as `audit`; seeds,
    intermediate models and marts as `scorecard`.

    Intermediate models read marts (fct_observation, dim_*), so grouping them with staging
    would draw a back-edge scorecard -> staging in the UI; the groups must flow one way:
    staging -> scorecard -> audit -> publish.
    """

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        folders = dbt_resource_props.get("fqn", [])[1:-1]
        if folders and folders[0] in ("staging", "audit"):
            return folders[0]
        return "scorecard"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        """Owners from the model's dbt `meta`, else the citydip team like every other asset."""
        return super().get_owners(dbt_resource_props) or ["team:citydip"]

    def get_code_version(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """The node's SQL (or seed) checksum plus the project's macros, config and vars; for a
        Python model also the `pipelines.audit` code it runs."""
        own = super().get_code_version(dbt_resource_props)
        if not own:
            return None
        if dbt_resource_props.get("language") == "python":
            return f"{own}-{project_fingerprint()}-{python_model_fingerprint()}"
        return f"{own}-{project_fingerprint()}"


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
    # dbt's artifacts live beside the working database they describe, so its partial-parse cache
    # matches this CITYDIP_HOME's profile and survives from one refresh to the next.
    yield from dbt.cli(args, context=context, target_path=settings.build_dir / "dbt").stream()
