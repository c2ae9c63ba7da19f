"""The configuration files in deploy/ do not rot: every YAML file parses; the dbt cluster targets
have the keys their adapters require and no key those adapters do not know; the Thrift target
keeps the schema and session settings of the `spark` target the refresh uses; every variable a
deploy file reads, and every file, is named in the docs; the Dagster instance files keep the
one-writer rule and are valid instance configuration; the run launcher and the Celery executor get
only keys they know.

Dagster has no public API that validates a dagster.yaml without building what it names (here
PostgreSQL storage and a Kubernetes run launcher), so the instance files are checked twice:
their top-level keys against INSTANCE_KEYS, a short explicit list (keys of Dagster 1.13's
dagster.yaml), and the whole file against Dagster's own instance schema through the private
`dagster._core.instance.config.dagster_instance_config`, which also checks that explicit list (a
Dagster release that moves it fails here loudly, as tests/pipelines/test_dbt_cli.py does for
dagster-dbt's members). The adapters', the launcher's and the executor's keys are explicit lists
too, read from the packages' sources (dbt-spark 1.11's SparkCredentials and its thrift
connection, dbt-databricks 1.12's DatabricksCredentials, dagster-k8s 0.29's
config_type_run_launcher, dagster-celery 0.29's CELERY_CONFIG): only dbt-spark is installed, and
only with the `spark` extra, where the thrift list is also compared with it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

DEPLOY = REPO / "deploy"
# not dbt's .user.yml, which a dbt run by hand writes beside deploy/dbt/profiles.yml
YAML_FILES = sorted(
    p for p in [*DEPLOY.rglob("*.yml"), *DEPLOY.rglob("*.yaml")] if not p.name.startswith(".")
)
CLUSTER_PROFILES = DEPLOY / "dbt" / "profiles.yml"
INSTANCE_FILES = sorted(DEPLOY.glob("dagster.*.yaml"))
CELERY_RUN_CONFIG = DEPLOY / "run_config.celery.yaml"
DOCS = (REPO / "docs" / "operations.md").read_text()

# dbt-spark's thrift connection checks these (validate_creds: host, port, user, schema)
THRIFT_REQUIRED = {"type", "method", "host", "port", "user", "schema"}
THRIFT_KNOWN = THRIFT_REQUIRED | {
    "threads",
    "database",
    "auth",
    "kerberos_service_name",
    "password",
    "use_ssl",
    "connect_retries",
    "connect_timeout",
    "retry_all",
    "server_side_parameters",
    "query_timeout",
    "poll_interval",
    "query_retries",
}
# dbt-databricks: host and http_path always, a token unless auth_type is an OAuth/OIDC one
DATABRICKS_REQUIRED = {"type", "host", "http_path", "token", "schema"}
DATABRICKS_KNOWN = DATABRICKS_REQUIRED | {
    "threads",
    "catalog",
    "database",
    "client_id",
    "client_secret",
    "azure_client_id",
    "azure_client_secret",
    "oauth_redirect_url",
    "oauth_scopes",
    "session_properties",
    "connection_parameters",
    "auth_type",
    "oidc_token_filepath",
    "compute",
    "query_tags",
    "connect_retries",
    "connect_timeout",
    "retry_all",
    "connect_max_idle",
}
# Over thrift a session setting takes effect only with this prefix (HiveServer2's session
# configuration); Spark settings that only a server's start can set are not session settings.
HIVECONF = "set:hiveconf:"
STATIC_SPARK_SQL = {"spark.sql.warehouse.dir"}

INSTANCE_KEYS = {
    "storage",
    "run_storage",
    "event_log_storage",
    "schedule_storage",
    "local_artifact_storage",
    "compute_logs",
    "run_coordinator",
    "run_queue",
    "run_launcher",
    "run_monitoring",
    "run_retries",
    "concurrency",
    "telemetry",
    "python_logs",
    "retention",
    "secrets",
    "code_servers",
    "sensors",
    "schedules",
    "backfills",
    "auto_materialize",
}
K8S_RUN_LAUNCHER_KEYS = {
    "job_image",
    "image_pull_policy",
    "image_pull_secrets",
    "service_account_name",
    "env_config_maps",
    "env_secrets",
    "env_vars",
    "volume_mounts",
    "volumes",
    "labels",
    "resources",
    "scheduler_name",
    "security_context",
    "instance_config_map",
    "postgres_password_secret",
    "dagster_home",
    "load_incluster_config",
    "kubeconfig_file",
    "k8s_api_ssl_ca_cert_file",
    "fail_pod_on_run_failure",
    "run_k8s_config",
    "job_namespace",
    "only_allow_user_defined_k8s_config_fields",
    "only_allow_user_defined_env_vars",
}
CELERY_EXECUTOR_KEYS = {"broker", "backend", "include", "config_source", "retries"}


def load(path: Path):
    return yaml.safe_load(path.read_text())


def cluster_targets() -> dict[str, dict]:
    return load(CLUSTER_PROFILES)["citydip"]["outputs"]


def targets_of(adapter: str, method: str | None = None) -> dict[str, dict]:
    return {
        name: target
        for name, target in cluster_targets().items()
        if target.get("type") == adapter and target.get("method") == method
    }


def read_variables(text: str) -> set[str]:
    """The environment variables a file reads: dbt's env_var('X'...) and Dagster's `env: X`."""
    dbt = re.findall(r"env_var\(\s*['\"]([A-Z0-9_]+)['\"]", text)
    dagster = re.findall(r"^\s*env:\s*([A-Z0-9_]+)\s*$", text, re.M)
    return {*dbt, *dagster}


def test_the_deploy_files_are_found():
    names = {p.relative_to(DEPLOY).as_posix() for p in YAML_FILES}
    assert {
        "dbt/profiles.yml",
        "dagster.postgres.yaml",
        "dagster.k8s.yaml",
        "run_config.celery.yaml",
    } <= names
    assert len(INSTANCE_FILES) >= 2


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.relative_to(DEPLOY).as_posix())
def test_every_yaml_file_parses_to_a_mapping(path: Path):
    assert isinstance(load(path), dict)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.relative_to(DEPLOY).as_posix())
def test_every_yaml_file_is_named_in_the_docs(path: Path):
    named = f"deploy/{path.relative_to(DEPLOY).as_posix()}"
    assert named in DOCS or named in (REPO / "README.md").read_text()


@pytest.mark.parametrize(
    ("adapter", "method", "required", "known"),
    [
        ("spark", "thrift", THRIFT_REQUIRED, THRIFT_KNOWN),
        ("databricks", None, DATABRICKS_REQUIRED, DATABRICKS_KNOWN),
    ],
)
def test_the_cluster_targets_have_their_adapters_keys(adapter, method, required, known):
    targets = targets_of(adapter, method)
    assert targets, f"no {adapter} {method or ''} target in {CLUSTER_PROFILES}"
    for name, target in targets.items():
        assert required <= set(target), f"{name} lacks {required - set(target)}"
        # dbt ignores a key its adapter does not know: a misspelt one would be dropped silently
        assert set(target) <= known, f"{name}: unknown keys {set(target) - known}"


def test_the_thrift_target_keeps_the_spark_targets_schema_and_session_settings():
    """The refresh copies the Spark build's tables back by the DuckDB manifest's schemas, and the
    marts equal DuckDB's only with the `spark` target's session settings (UTC, timestamps)."""
    spark = load(REPO / "dbt_project" / "profiles.yml")["citydip"]["outputs"]["spark"]
    session = {
        key: value
        for key, value in spark["server_side_parameters"].items()
        if key.startswith("spark.sql.") and key not in STATIC_SPARK_SQL
    }
    assert "spark.sql.session.timeZone" in session
    for name, thrift in targets_of("spark", "thrift").items():
        assert thrift["schema"] == spark["schema"], name
        parameters = thrift["server_side_parameters"]
        bare = [key for key in parameters if not key.startswith(HIVECONF)]
        assert bare == [], f"{name}: ignored over thrift without {HIVECONF}"
        assert {key: parameters.get(HIVECONF + key) for key in session} == session, name


def test_the_variables_are_read_as_dbt_and_dagster_spell_them():
    text = "host: \"{{ env_var('CITYDIP_A', 'x') }}\"\nhostname:\n  env: CITYDIP_B\n"
    assert read_variables(text) == {"CITYDIP_A", "CITYDIP_B"}


def test_every_variable_the_deploy_files_read_is_documented():
    read = {
        variable: path.relative_to(DEPLOY).as_posix()
        for path in YAML_FILES
        for variable in read_variables(path.read_text())
    }
    expected = {"CITYDIP_SPARK_THRIFT_HOST", "CITYDIP_DATABRICKS_TOKEN", "CITYDIP_PG_PASSWORD"}
    assert expected <= set(read)
    assert {v: f for v, f in read.items() if f"`{v}`" not in DOCS} == {}


@pytest.mark.parametrize("path", INSTANCE_FILES, ids=lambda p: p.name)
def test_the_instance_files_top_level_keys_are_instance_keys(path: Path):
    assert set(load(path)) <= INSTANCE_KEYS


@pytest.mark.parametrize("path", INSTANCE_FILES, ids=lambda p: p.name)
def test_the_instance_files_keep_one_writer_of_the_working_database(path: Path):
    """The same run and pool limits as the local instance citydip writes (one run at a time, one
    writer of the working database in the pool citydip_warehouse)."""
    from pipelines.refresh.instance import DEFAULT_DAGSTER_YAML

    local = yaml.safe_load(DEFAULT_DAGSTER_YAML)["concurrency"]
    assert local == {"pools": {"default_limit": 1}, "runs": {"max_concurrent_runs": 1}}
    assert load(path)["concurrency"] == local


@pytest.mark.parametrize("path", INSTANCE_FILES, ids=lambda p: p.name)
def test_the_instance_files_pass_dagsters_instance_schema(path: Path):
    from dagster._core.instance.config import (
        dagster_instance_config,
        dagster_instance_config_schema,
    )

    assert set(dagster_instance_config_schema()) >= INSTANCE_KEYS
    config, _ = dagster_instance_config(str(path.parent), path.name)
    assert set(config) == set(load(path))


def test_dagsters_instance_schema_refuses_a_misspelt_key(tmp_path: Path):
    import dagster as dg
    from dagster._core.instance.config import dagster_instance_config

    (tmp_path / "dagster.yaml").write_text(
        (DEPLOY / "dagster.k8s.yaml").read_text().replace("run_launcher:", "run_launchr:")
    )
    with pytest.raises(dg.DagsterInvalidConfigError):
        dagster_instance_config(str(tmp_path))


def test_the_k8s_run_launcher_mounts_citydip_home_and_knows_its_keys():
    launcher = load(DEPLOY / "dagster.k8s.yaml")["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s.launcher", "K8sRunLauncher")
    config = launcher["config"]
    assert set(config) <= K8S_RUN_LAUNCHER_KEYS, set(config) - K8S_RUN_LAUNCHER_KEYS
    # instance_config_map is required by its schema, service_account_name by its constructor
    assert {"job_image", "instance_config_map", "service_account_name"} <= set(config)
    home = dict(v.split("=", 1) for v in config["env_vars"])["CITYDIP_HOME"]
    mounts = {m["mount_path"]: m["name"] for m in config["volume_mounts"]}
    assert home in mounts, f"nothing mounted at CITYDIP_HOME={home}"
    assert mounts[home] in {v["name"] for v in config["volumes"]}


def test_the_celery_run_config_sets_the_broker_and_knows_its_keys():
    config = load(CELERY_RUN_CONFIG)["execution"]["config"]
    assert set(config) <= CELERY_EXECUTOR_KEYS, set(config) - CELERY_EXECUTOR_KEYS
    assert {"broker", "backend"} <= set(config)


@pytest.mark.spark  # in make test-spark, which installs the spark extra: in CI's make test it
# would always be skipped
def test_the_thrift_keys_are_dbt_sparks():
    connections = pytest.importorskip(
        "dbt.adapters.spark.connections", reason="dbt-spark comes with the spark extra"
    )
    fields = set(connections.SparkCredentials.__dataclass_fields__) | {"type", "threads"}
    assert fields >= THRIFT_KNOWN
