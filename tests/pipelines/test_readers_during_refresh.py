"""Acceptance: a reader querying in a loop while three refreshes run sees no error and only
complete editions. The refreshes run on a copy of the published home with a new Dagster instance:
the first rebuilds and publishes an edition, the next two find nothing changed and publish none
(the editions tests read during three publishes and a rebuild: test_editions.py)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO, run_citydip
from tests.published import copy_home


def test_a_reader_never_sees_an_error_or_half_an_edition(published_home, tmp_path):
    home = copy_home(published_home, tmp_path / "home")
    env = {"CITYDIP_HOME": str(home), "DAGSTER_HOME": str(tmp_path / "dagster")}
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-m", "tests.pipelines.edition_reader", str(home), str(stop)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = json.loads(reader.stdout.readline())  # the reader is reading before we start
        refreshes = [run_citydip("refresh", "--quiet", env=env) for _ in range(3)]
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=120)
    reads = [first] + [json.loads(line) for line in out.splitlines()]

    for done in refreshes:
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stdout == ""  # --quiet: nothing but failures
    assert reader.returncode == 0, err[-2000:]
    assert [r for r in reads if "error" in r] == []
    assert all(r["complete"] for r in reads)
    editions = {r["edition"] for r in reads}
    assert len(editions) >= 2  # the first edition and at least the last refresh's
    assert len(reads) > 3
