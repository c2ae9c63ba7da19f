"""One real refresh per test session, shared by the tests of what readers see."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_citydip


@pytest.fixture(scope="session")
def published_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CITYDIP_HOME with a published warehouse and cards from `citydip refresh` (snapshots)."""
    root = tmp_path_factory.mktemp("published")
    env = {"CITYDIP_HOME": str(root / "home"), "DAGSTER_HOME": str(root / "dagster")}
    done = run_citydip("refresh", "--quiet", env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return root / "home"


@pytest.fixture
def reader_env(published_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the in-process CLI at the shared published warehouse."""
    monkeypatch.setenv("CITYDIP_HOME", str(published_home))
    return published_home


def copy_home(published_home: Path, target: Path) -> Path:
    """A private copy of the published home, for tests that change it."""
    shutil.copytree(published_home, target, ignore=shutil.ignore_patterns("refresh.lock"))
    return target
