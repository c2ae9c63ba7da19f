"""The dbt resource and the dbt code versions that the no-change refresh relies on."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from dagster_dbt import DbtCliResource

from pipelines.defs.dbt_cli import DbtCli
from pipelines.defs.dbt_models import DBT_PROJECT, CitydipTranslator


def test_dagster_dbt_still_has_the_members_dbt_cli_overrides():
    # if dagster-dbt renames them, DbtCli silently stops saving its two start-ups: fail here
    assert "_cli_version" in vars(DbtCliResource)
    assert "_initialize_dbt_core_adapter" in vars(DbtCliResource)


def test_cli_version_is_the_version_the_dbt_executable_reports():
    dbt = str(Path(sys.executable).parent / "dbt")
    resource = DbtCli(project_dir=DBT_PROJECT, dbt_executable=dbt)
    reported = subprocess.check_output([dbt, "--version"], text=True)
    assert str(resource._cli_version) == version("dbt-core")
    assert version("dbt-core") in reported


def _model(name: str) -> dict:
    manifest = json.loads(Path(DBT_PROJECT.manifest_path).read_text())
    return next(n for n in manifest["nodes"].values() if n["name"] == name)


def test_code_version_changes_with_the_vars():
    model = _model("scorecard_city")
    default = CitydipTranslator({}).get_code_version(model)
    other = CitydipTranslator({"max_data_age": 5}).get_code_version(model)
    assert default != other
    assert default.split("-")[0] == other.split("-")[0]  # the SQL checksum part is the same


def test_code_version_differs_between_models():
    translator = CitydipTranslator({})
    assert translator.get_code_version(_model("scorecard_city")) != translator.get_code_version(
        _model("scorecard_pillar")
    )
