"""The dbt project as Dagster assets: one invocation of `dbt build` per run, models and tests."""

import json
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines.defs.dbt_fingerprint import project_fingerprint, python_model_fingerprint
from pipelines.defs.source_assets import WAREHOUSE_POOL
from pipelines.disk import naming_disk_full
from pipelines.settings import DBT_PROJECT_DIR, Settings

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The dbt var dbt_project/profiles.yml takes the working database's path from.
BUILD_DB_VAR = "citydip_build_db"


# The Dagster group of each dbt layer (its folder under models/; seeds apart): the groups flow one
# way, left to right in the UI: sources -> seeds -> staging -> intermediate -> marts -> audit ->
# publish. The published views (models/views) join the publish step that ships them.
LAYER_GROUPS = {
    "staging": "staging",
    "intermediate": "intermediate",
    "marts": "marts",
    "audit": "audit",
    "views": "publish",
}
GROUP_ORDER = ("sources", "seeds", "staging", "intermediate", "marts", "audit", "publish")


class CitydipTranslator(DagsterDbtTranslator):
    """dbt nodes grouped by layer (LAYER_GROUPS), owned by the citydip team, versioned by their
    SQL and the project's macros, config and vars."""

    def __init__(self, dbt_vars: Mapping[str, Any]) -> None:
        super().__init__()
        self.fingerprint = project_fingerprint(dbt_vars)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        folders = dbt_resource_props.get("fqn", [])[1:-1]
        return LAYER_GROUPS.get(folders[0], "marts") if folders else "marts"

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        """A model's key is its name (`int_values_imputed`, not `intermediate/int_values_imputed`):
        the name's prefix (stg_, int_) and the asset's group already say its layer, and the
        graph reads better without the schema. Seeds and sources keep dagster-dbt's keys."""
        key = super().get_asset_key(dbt_resource_props)
        if dbt_resource_props.get("resource_type") == "model":
            return dg.AssetKey(key.path[-1])
        return key

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
            return f"{own}-{self.fingerprint}-{python_model_fingerprint()}"
        return f"{own}-{self.fingerprint}"


def dbt_build_args(settings: Settings) -> list[str]:
    """`dbt build` with the dbt vars in effect and the working database of CITYDIP_HOME, passed
    as the var the profile reads (so neither travels through the environment). On the DuckDB
    target whatever CITYDIP_ENGINE says: the refresh publishes the DuckDB build's marts, and
    building them on Spark is not wired into it yet (docs/operations.md)."""
    dbt_vars = {**settings.dbt_vars, BUILD_DB_VAR: str(settings.build_db)}
    return ["build", "--target", "build", "--vars", json.dumps(dbt_vars)]


def build_dbt_models(dbt_vars: Mapping[str, Any]) -> dg.AssetsDefinition:
    """The dbt assets; `dbt_vars` (Settings.dbt_vars) are part of their code versions."""

    @dbt_assets(
        manifest=DBT_PROJECT.manifest_path,
        project=DBT_PROJECT,
        dagster_dbt_translator=CitydipTranslator(dbt_vars),
        pool=WAREHOUSE_POOL,
    )
    def citydip_dbt_models(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        settings: dg.ResourceParam[Settings],
    ):
        """Seeds, staging, intermediate and marts with their tests, in the working database."""
        settings.build_dir.mkdir(parents=True, exist_ok=True)
        # dbt's artifacts live beside the working database they describe, so its partial-parse
        # cache matches this CITYDIP_HOME's profile and survives from one refresh to the next.
        target_path = settings.build_dir / "dbt"
        # dbt reports a full disk as a failed model ("IO Error: Could not write file ... No space
        # left on device") inside dagster-dbt's "The dbt CLI process ... failed": named as such.
        with naming_disk_full("building the scorecard with dbt", settings.build_dir):
            yield from dbt.cli(
                dbt_build_args(settings), context=context, target_path=target_path
            ).stream()

    return citydip_dbt_models
