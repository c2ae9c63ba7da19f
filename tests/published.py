"""One refresh shared by every test that needs a published warehouse.

`shared_warehouse` refreshes one citydip home (offline: the embedded snapshots, default dbt vars) with
`citydip refresh` run in this process. Tests that only read it use `published_home` (or
`reader_env`); a test that writes (a further refresh, an edited table) works on its own copy of
the home and the Dagster instance: `copy_published`.

The refresh runs once per state of the code and data, not once per pytest process: its home is
kept under build/test-warehouse/<digest of every file the refresh reads>, built by the first
xdist worker that needs it (the others wait on a file lock) and reused by the next `make test` or
`make test-e2e` while those files and the commit are unchanged. `make clean` removes it; a changed
file in sources/, pipelines/, dbt_project/ or docs/ (or the lock file), or another commit, starts a
new one (the published edition records the commit).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
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


REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "build" / "test-warehouse"
# What the shared refresh reads: the code, the dbt project, the snapshots, the docs (cards render
# the methodology) and the locked dependencies.
REFRESH_INPUTS = ("sources", "pipelines", "dbt_project", "docs", "pyproject.toml", "uv.lock")
NOT_INPUTS = {"__pycache__", "target", "logs", "dbt_packages"}


def inputs_digest() -> str:
    """A digest of every file the shared refresh reads (and of this module), and of the commit
    checked out, which the published edition records (edition_history.git_commit)."""
    from pipelines.defs.edition import git_commit

    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(git_commit(REPO).encode() + b"\0")
    for name in REFRESH_INPUTS:
        top = REPO / name
        files = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in files:
            if path.is_file() and not NOT_INPUTS & set(path.relative_to(REPO).parts):
                digest.update(path.relative_to(REPO).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def shared_warehouse() -> Published:
    """A CITYDIP_HOME with a published warehouse and cards from `citydip refresh` (snapshots),
    refreshed once per state of its inputs (see the module's docstring)."""
    from tests.conftest import citydip_in_process

    root = CACHE / inputs_digest()
    record = root / "refresh.json"
    with locked(CACHE / ".lock"):
        if not record.exists():
            for stale in CACHE.iterdir():
                if stale.is_dir():
                    shutil.rmtree(stale)
            done = citydip_in_process("refresh", env=home_env(root))
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
            kept = {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}
            record.with_suffix(".tmp").write_text(json.dumps(kept))
            record.with_suffix(".tmp").rename(record)
    kept = json.loads(record.read_text())
    done = subprocess.CompletedProcess(
        ["citydip", "refresh"], kept["returncode"], kept["stdout"], kept["stderr"]
    )
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


def copy_root(source: Path, root: Path) -> None:
    """A private copy of source's home and Dagster instance (source/home, source/dagster) under
    root: a further refresh there sees source's refreshes as its own history."""
    copy_home(source / "home", root / "home")
    shutil.copytree(source / "dagster", root / "dagster")


def copy_published(published: Published, root: Path) -> dict[str, str]:
    """A private copy of the shared home and its Dagster instance under root (copy_root); the
    environment of an offline refresh."""
    copy_root(published.root, root)
    return home_env(root)
