"""A reader that goes away (`citydip sources --format json | head -1`) stops a command quietly:
no traceback, a non-zero exit. The real console script, its stdout a pipe nobody reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, TEST_ENV


@pytest.mark.e2e
@pytest.mark.parametrize(
    "args", [["sources", "--format", "json"], ["sources"]], ids=["json", "table"]
)
def test_a_closed_pipe_ends_the_command_without_a_traceback(args, tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write
    try:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "citydip"), *args],
            cwd=REPO,
            env={**os.environ, **TEST_ENV, "CITYDIP_HOME": str(tmp_path / "home")},
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.returncode != 0
    assert done.stderr == ""
