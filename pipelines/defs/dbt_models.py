"""The dbt project as Dagster assets: one invocation of `dbt build` per run, models and tests."""

import json
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
import duckdb
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


# dbt's unit tests check the models' SQL on fixed inputs, not the data: they run where the code
# changes (`make test`: tests/dbt/test_methodology.py; `make test-spark`), not in every
# refresh, as dbt recommends for production (they were 5 s of each refresh's build).
NOT_IN_A_REFRESH = ("--exclude-resource-type", "unit_test")


def dbt_build_args(settings: Settings) -> list[str]:
    """`dbt build` with the dbt vars in effect and the working database of CITYDIP_HOME, passed
    as the var the profile reads (so neither travels through the environment). On the DuckDB
    target (with CITYDIP_ENGINE=spark, for what only DuckDB builds: build_on_spark)."""
    dbt_vars = {**settings.dbt_vars, BUILD_DB_VAR: str(settings.build_db)}
    return ["build", "--target", "build", "--vars", json.dumps(dbt_vars), *NOT_IN_A_REFRESH]


# What only DuckDB builds when CITYDIP_ENGINE=spark: the audit's Python models (dbt-spark runs
# Python models on Databricks only) and the published views, which the published DuckDB file
# ships as views over the marts.
DUCKDB_ONLY = (
    "path:models/views",
    "audit_correlation",
    "audit_effective_weight",
    "audit_pillar_coherence",
    "audit_sobol",
)
# Everything else: what the Spark build makes and the working database takes back from it.
BUILT_ON_SPARK = (
    "resource_type:seed",
    "path:models/staging",
    "path:models/intermediate",
    "path:models/marts",
    "audit_city_strengths",
)


def build_on_spark(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: Settings):
    """CITYDIP_ENGINE=spark: the selected models on Spark (`--target spark`, the raw observations
    read as Parquet), their tables copied back into the working DuckDB database, then the
    DuckDB-only models on DuckDB over them; each node is built, and reported, once. The
    published warehouse stays a DuckDB file, so every reader reads it as before."""
    from pipelines.spark_export import export_raw_tables, import_spark_tables

    with duckdb.connect(str(settings.build_db)) as con:
        export_raw_tables(con, settings.spark_dir)  # a home switched to Spark has none yet
    spark_vars = {**settings.dbt_vars, "citydip_spark_dir": str(settings.spark_dir)}
    spark_args = ["build", "--target", "spark", "--vars", json.dumps(spark_vars), *NOT_IN_A_REFRESH]
    on_spark = dbt.cli(
        [*spark_args, "--exclude", " ".join(DUCKDB_ONLY)],
        context=context,
        target_path=settings.build_dir / "dbt-spark",
    )
    yield from on_spark.stream()
    built = on_spark.get_artifact("run_results.json")["results"]
    # the tables and seeds Spark built (a view has no files, and the DuckDB-only models read
    # the marts, not the views), by the Spark run's own manifest: a model's materialisation may
    # differ by engine (dbt_project.yml, macro step_materialization)
    nodes = on_spark.get_artifact("manifest.json")["nodes"]
    tables: dict[str, list[str]] = {}
    for result in built:
        node = nodes.get(result["unique_id"], {})
        stored = node.get("config", {}).get("materialized") in ("table", "incremental", "seed")
        if result["status"] == "success" and stored:
            tables.setdefault(node["schema"], []).append(node["alias"])
    with duckdb.connect(str(settings.build_db)) as con:
        for schema, names in tables.items():
            import_spark_tables(con, settings.spark_dir, names, schema)
    yield from dbt.cli(
        [*dbt_build_args(settings), "--exclude", " ".join(BUILT_ON_SPARK)],
        context=context,
        target_path=settings.build_dir / "dbt",
    ).stream()


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
            if settings.engine == "spark":
                yield from build_on_spark(context, dbt, settings)
            else:
                yield from dbt.cli(
                    dbt_build_args(settings), context=context, target_path=target_path
                ).stream()

    return citydip_dbt_models
