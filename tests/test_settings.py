"""Settings: read from the environment in one place, with working defaults; a bad value is one
line naming its variable; `--live` reaches the assets through the settings resource; the Dagster
instance is opened by its path."""

from __future__ import annotations

import os

import pytest

from pipelines.cli.main import main
from pipelines.settings import REPO_ROOT, SettingsError, load_settings


def test_defaults_work_on_a_fresh_clone():
    settings = load_settings({})
    assert settings.home == REPO_ROOT / "warehouse"
    assert settings.published_db == REPO_ROOT / "warehouse" / "citydip.duckdb"
    assert settings.build_db == REPO_ROOT / "warehouse" / "build" / "citydip_build.duckdb"
    assert settings.dagster_home == REPO_ROOT / ".dagster"
    assert settings.source_mode == "snapshot" and not settings.is_live("worldbank")
    assert settings.dbt_vars == {}
    assert (settings.fetch_retries, settings.fetch_retry_delay) == (2, 30.0)
    assert settings.dagster_log_level == "WARNING"
    assert settings.engine == "duckdb"
    assert settings.spark_dir == REPO_ROOT / "warehouse" / "build" / "spark"


def test_every_variable_is_read(tmp_path):
    settings = load_settings(
        {
            "CITYDIP_HOME": str(tmp_path / "home"),
            "DAGSTER_HOME": str(tmp_path / "dagster"),
            "CITYDIP_SOURCE_MODE": " Snapshot ",
            "CITYDIP_LIVE_SOURCES": "worldbank, openalex,",
            "CITYDIP_DBT_VARS": '{"normalisation": "z_score"}',
            "CITYDIP_FETCH_RETRIES": "0",
            "CITYDIP_FETCH_RETRY_DELAY": "0.5",
            "CITYDIP_DAGSTER_LOG_LEVEL": "debug",
            "CITYDIP_ENGINE": " Spark ",
        }
    )
    assert settings.published_db == tmp_path / "home" / "citydip.duckdb"
    assert settings.dagster_home == tmp_path / "dagster"
    assert settings.live_sources == {"worldbank", "openalex"}
    assert settings.is_live("openalex") and not settings.is_live("gfci")
    assert settings.dbt_vars == {"normalisation": "z_score"}
    assert (settings.fetch_retries, settings.fetch_retry_delay) == (0, 0.5)
    assert settings.dagster_log_level == "DEBUG"
    assert settings.engine == "spark"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CITYDIP_SOURCE_MODE", "sometimes"),
        ("CITYDIP_DBT_VARS", "normalisation=z_score"),
        ("CITYDIP_DBT_VARS", '["z_score"]'),
        ("CITYDIP_FETCH_RETRIES", "two"),
        ("CITYDIP_FETCH_RETRIES", "-1"),
        ("CITYDIP_FETCH_RETRY_DELAY", "30s"),
        ("CITYDIP_DAGSTER_LOG_LEVEL", "LOUD"),
        ("CITYDIP_ENGINE", "oracle"),
    ],
)
def test_a_bad_value_is_one_line_naming_its_variable(variable, value):
    with pytest.raises(SettingsError) as raised:
        load_settings({variable: value})
    message = str(raised.value)
    assert message.startswith(variable) and "\n" not in message
    assert repr(value) in message  # what was given, to spot the typo


@pytest.mark.parametrize("command", [["sources"], ["query", "select 1"], ["refresh", "--quiet"]])
def test_a_command_reports_a_bad_value_without_a_traceback(command, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CITYDIP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CITYDIP_DBT_VARS", "{normalisation: z_score}")
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"citydip {command[0]}: CITYDIP_DBT_VARS is not valid JSON")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "home").exists()  # nothing was started


def test_live_makes_every_source_live_or_only_the_selected_ones():
    offline = load_settings({"CITYDIP_LIVE_SOURCES": "openalex"})
    everything = offline.with_live(None)
    assert everything.source_mode == "live" and everything.is_live("gfci")
    selected = offline.with_live(["worldbank"])
    assert selected.is_live("worldbank")
    assert not selected.is_live("openalex") and not selected.is_live("gfci")
    assert offline.source_mode == "snapshot" and offline.is_live("openalex")  # unchanged


def test_the_assets_get_the_settings_the_definitions_are_built_with(tmp_path):
    import dagster as dg

    from pipelines.definitions import build_definitions
    from pipelines.defs.source_assets import payload_key
    from sources import SOURCES

    live = load_settings({"CITYDIP_HOME": str(tmp_path)}).with_live(None)
    defs = build_definitions(live)
    assert defs.resources["settings"] is live
    payload = defs.resolve_assets_def(payload_key(SOURCES["gfci"]))
    assert "settings" in payload.required_resource_keys
    assert isinstance(payload.op.retry_policy, dg.RetryPolicy)
    assert payload.op.retry_policy.max_retries == live.fetch_retries


def test_the_dagster_instance_is_opened_by_its_path(tmp_path, monkeypatch):
    from pipelines.refresh.instance import get_instance

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    instance = get_instance(tmp_path / "dagster")
    assert (tmp_path / "dagster" / "dagster.yaml").exists()
    assert instance.root_directory == str(tmp_path / "dagster")
    assert "DAGSTER_HOME" not in os.environ
    instance.dispose()


def test_help_works_whatever_the_settings(monkeypatch, capsys):
    monkeypatch.setenv("CITYDIP_DBT_VARS", "{not json")
    monkeypatch.setenv("CITYDIP_FETCH_RETRIES", "many")
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert "usage: citydip" in capsys.readouterr().out
