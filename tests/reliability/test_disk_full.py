"""A full disk keeps its name: each write of a refresh on a 1 MiB tmpfs fails with DiskFull, its
message naming "no space left on device" (ENOSPC), what was written and where, and leaves the
last good files as they were. Needs root for `mount -t tmpfs`; skipped where it fails."""

from __future__ import annotations

import errno
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.landing import keep_rejected, land
from pipelines.disk import DiskFull, naming_disk_full
from pipelines.read.cards.swap import publish_site, target
from sources.errors import SourceError
from sources.payload import Part, Payload
from tests.published import copy_published

BIG = b"x" * 2 * 2**20  # twice the filesystem


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted on `folder` (an empty folder) for the duration."""
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.fixture
def full(tmp_path: Path):
    """A 1 MiB tmpfs."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    with tmpfs(folder, "1m"):
        yield folder


def assert_named(error: DiskFull, what: str) -> None:
    message = str(error)
    assert error.errno == errno.ENOSPC
    assert "no space left on device" in message and "ENOSPC" in message
    assert what in message and "MiB free" in message


def test_landing_a_payload(full: Path):
    payload = Payload("worldbank", (Part(url="http://x/a", body=BIG, suffix="json"),))
    with pytest.raises(DiskFull) as raised:
        land(full / "raw", payload)
    assert_named(raised.value, "landing a payload of worldbank")
    assert [p for p in (full / "raw" / "worldbank").iterdir()] == []  # no half file left


def test_keeping_a_rejected_response_says_it_could_not(full: Path):
    part = Part(url="http://x/a", body=BIG, suffix="html")
    error = keep_rejected(full / "raw", SourceError("worldbank", "http://x/a", "HTML page", "body"))
    assert "HTML page" in str(error)
    refused = SourceError("worldbank", "http://x/a", "HTML page", "body", rejected=part)
    kept = keep_rejected(full / "raw", refused)
    assert "could not be kept (no space left on device)" in str(kept)


def test_rendering_the_cards_keeps_the_last_site(full: Path):
    cards = full / "cards"
    publish_site(cards, lambda folder: (folder / "index.html").write_text("v1"))
    with pytest.raises(DiskFull) as raised:
        publish_site(cards, lambda folder: (folder / "index.html").write_bytes(BIG))
    assert_named(raised.value, "rendering the cards")
    assert (cards / "index.html").read_text() == "v1"
    assert sorted(p.name for p in full.iterdir() if p.name.startswith(".cards.")) == [
        target(cards).name
    ]  # the half-rendered site is gone at once


def test_duckdb_writing_the_warehouse(full: Path):
    table = "create table t as select range i, md5(range::varchar) s from range(200000)"
    with (
        pytest.raises(DiskFull) as raised,
        naming_disk_full("publishing the warehouse", full),
        duckdb.connect(str(full / "citydip.duckdb")) as con,
    ):
        con.execute(table)
        con.execute("checkpoint")
    assert_named(raised.value, "publishing the warehouse")
    assert "Could not write file" in str(raised.value)  # DuckDB's own words, kept


def test_dbt_writing_the_build_database_is_one_line(
    shared_warehouse, citydip_process, tmp_path: Path
):
    """The build folder on a tmpfs with 512 KiB left: the refresh's dbt build (forced by new dbt
    vars) fails writing the working database or the refresh log, whichever fills it first; the
    console says so in one line naming the folder, and the published warehouse stays."""
    env = copy_published(shared_warehouse, tmp_path)
    home = Path(env["CITYDIP_HOME"])
    published = (home / "citydip.duckdb").read_bytes()
    build, kept = home / "build", tmp_path / "build-kept"
    build.rename(kept)
    build.mkdir()
    with tmpfs(build, "64m"):
        shutil.copytree(kept, build, dirs_exist_ok=True)
        filler = shutil.disk_usage(build).free - 512 * 2**10
        (build / "filler").write_bytes(b"\0" * filler)
        refreshed = citydip_process(
            "refresh", env={**env, "CITYDIP_DBT_VARS": '{"sensitivity_draws": 499}'}
        )
    console = refreshed.stdout + refreshed.stderr
    assert refreshed.returncode != 0, console
    assert "Traceback" not in console
    # Dagster's compute-log `tail` may add its own "tail: ... No space left on device" line
    named = [line for line in console.splitlines() if "no space left on device (ENOSPC)" in line]
    assert len(named) == 1, console
    assert str(build) in named[0] and "MiB free" in named[0]
    assert (home / "citydip.duckdb").read_bytes() == published  # the last good warehouse stays


def test_a_failed_dbt_build_is_named_by_its_io_error(tmp_path: Path):
    """dagster-dbt's error opens with the dbt command; the model's IO error is the cause kept."""
    failed = RuntimeError(
        "The dbt CLI process with command\n\n`dbt build`\n\nfailed with exit code `1`.\n\n"
        "Errors parsed from dbt logs:\nRuntime Error in model scorecard_city\n"
        '  IO Error: Could not write file "citydip_build.duckdb": No space left on device'
    )
    with (
        pytest.raises(DiskFull) as raised,
        naming_disk_full("building the scorecard with dbt", tmp_path),
    ):
        raise failed
    assert_named(raised.value, "building the scorecard with dbt")
    assert str(raised.value).endswith(
        'Cause: IO Error: Could not write file "citydip_build.duckdb": No space left on device'
    )
