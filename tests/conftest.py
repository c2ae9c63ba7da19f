"""Shared fixtures: an isolated CITYDIP_HOME and DAGSTER_HOME per test; no network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def citydip_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("CITYDIP_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("CITYDIP_HTTP_BACKOFF", "0")
    return home


@pytest.fixture
def fast_http(monkeypatch: pytest.MonkeyPatch) -> None:
    """No backoff sleeps and short timeouts for clients under test."""
    monkeypatch.setenv("CITYDIP_HTTP_BACKOFF", "0")


def run_citydip(
    *args: str, env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run the real `citydip` console script in a subprocess with the given environment.

    Failed fetches are not retried by Dagster (2 x 30 s in production) unless a test asks."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "citydip"), *args],
        cwd=REPO,
        env={**os.environ, "CITYDIP_FETCH_RETRIES": "0", "CITYDIP_HTTP_BACKOFF": "0", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


from tests.published import published_home, reader_env  # noqa: E402,F401  (shared fixtures)
