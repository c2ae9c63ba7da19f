"""One refresh per test session, shared by every test that needs a published warehouse.

`shared_warehouse` refreshes one citydip home (offline: the embedded snapshots, default dbt vars) with
`citydip refresh` run in this process, once per session. Tests that only read it use
`published_home` (or `reader_env`); a test that writes (a further refresh, an edited table)
works on its own copy of the home and the Dagster instance: `copy_published`.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Published:
    root: Path  # home/ (CITYDIP_HOME) and dagster/ (DAGSTER_HOME)
    refresh: subprocess.CompletedProcess  # the refresh that built it: exit code and output
    run_ids: tuple[str, ...]  # the Dagster runs of that refresh

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def env(self) -> dict[str, str]:
        return home_env(self.root)


def home_env(root: Path) -> dict[str, str]:
    """The environment of an offline refresh of root/home with its instance in root/dagster."""
    return {
        "CITYDIP_HOME": str(root / "home"),
        "DAGSTER_HOME": str(root / "dagster"),
        "CITYDIP_SOURCE_MODE": "snapshot",
        "CITYDIP_LIVE_SOURCES": "",
        "CITYDIP_DBT_VARS": "{}",
    }


def run_ids(dagster_home: Path) -> list[str]:
    """The runs recorded in a Dagster instance (one event log file per run)."""
    history = dagster_home / "history" / "runs"
    return sorted(p.stem for p in history.glob("*.db") if p.stem != "index")


@pytest.fixture(scope="session")
def shared_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """A CITYDIP_HOME with a published warehouse and cards from `citydip refresh` (snapshots)."""
    from tests.conftest import citydip_in_process

    root = tmp_path_factory.mktemp("published")
    done = citydip_in_process("refresh", env=home_env(root))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return Published(root=root, refresh=done, run_ids=tuple(run_ids(root / "dagster")))


@pytest.fixture(scope="session")
def published_home(shared_warehouse: Published) -> Path:
    """The shared published home: read it, never write it (copy_published for that)."""
    return shared_warehouse.home


@pytest.fixture
def reader_env(published_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the in-process CLI at the shared published warehouse."""
    monkeypatch.setenv("CITYDIP_HOME", str(published_home))
    return published_home


def copy_home(published_home: Path, target: Path) -> Path:
    """A private copy of the published home, for tests that change it."""
    shutil.copytree(published_home, target, ignore=shutil.ignore_patterns("refresh.lock"))
    return target


def copy_published(published: Published, root: Path) -> dict[str, str]:
    """A private copy of the shared home and its Dagster instance under root (a further refresh
    there sees the shared refresh as its own history); the environment of an offline refresh."""
    copy_home(published.home, root / "home")
    shutil.copytree(published.root / "dagster", root / "dagster")
    return home_env(root)
