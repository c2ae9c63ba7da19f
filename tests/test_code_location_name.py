"""The code location is named `citydip` in `dg dev` (`make ui`) and in `dagster-webserver`,
whatever the clone's folder is called: `[tool.dg.project]` names it, and so does workspace.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from dagster_dg_cli.cli.utils import create_temp_workspace_file
from dagster_dg_core.context import DgContext

from tests.conftest import REPO


def clone_into(folder: Path) -> Path:
    """What `dg` reads of a clone: its project file, workspace and the root module's package."""
    folder.mkdir(parents=True)
    for name in ("pyproject.toml", "workspace.yaml"):
        shutil.copy(REPO / name, folder / name)
    shutil.copytree(
        REPO / "pipelines", folder / "pipelines", ignore=shutil.ignore_patterns("__pycache__")
    )
    return folder


def test_the_location_is_citydip_in_a_folder_of_another_name(tmp_path, monkeypatch):
    clone = clone_into(tmp_path / "my-fork-of-the-scorecard")
    monkeypatch.chdir(clone)
    context = DgContext.for_project_environment(clone, {})
    assert context.code_location_name == "citydip"
    with create_temp_workspace_file(context) as workspace:  # what `dg dev` starts with
        [entry] = yaml.safe_load(Path(workspace).read_text())["load_from"]
    assert entry["python_module"]["location_name"] == "citydip"
    assert entry["python_module"]["module_name"] == "pipelines.definitions"
    [own] = yaml.safe_load((clone / "workspace.yaml").read_text())["load_from"]
    assert own["python_module"]["location_name"] == "citydip"  # dagster-webserver's
