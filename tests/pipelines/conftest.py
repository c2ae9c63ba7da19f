"""Fixtures of the pipelines tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipelines.refresh.instance import get_instance
from tests.published import locked


@pytest.fixture(scope="session")
def refreshed_dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A persistent instance folder (SQLite) in which a successful refresh was recorded just
    now: every asset materialised, every check passed (`record_successful_refresh`, no run).
    Recorded once per pytest run, by the first xdist worker that needs it (about 7 s of SQLite
    writes), in the folder the workers' temporary folders share; copied by
    `persistent_refreshed_instance`."""
    from pipelines.definitions import defs
    from tests.pipelines.helpers import record_successful_refresh

    shared = tmp_path_factory.getbasetemp().parent  # one per run; a worker's own is below it
    folder = shared / "refreshed-dagster"
    with locked(shared / "refreshed-dagster.lock"):
        if not folder.exists():
            recording = shared / "refreshed-dagster.recording"
            instance = get_instance(recording)
            record_successful_refresh(instance, defs)
            instance.dispose()
            recording.rename(folder)
    return folder


@pytest.fixture
def persistent_refreshed_instance(
    refreshed_dagster_home: Path, citydip_home: Path, tmp_path: Path
) -> dg.DagsterInstance:
    """The test's own DAGSTER_HOME (tmp_path/dagster, from `citydip_home`), a copy of
    `refreshed_dagster_home`, opened as the CLI opens it."""
    shutil.copytree(refreshed_dagster_home, tmp_path / "dagster")
    return get_instance(tmp_path / "dagster")
