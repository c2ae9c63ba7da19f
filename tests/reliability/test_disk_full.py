"""A full disk keeps its name: each write of a refresh on a 1 MiB tmpfs fails with DiskFull, its
message naming "no space left on device" (ENOSPC), what was written and where, and leaves the
last good files as they were. Needs root for `mount -t tmpfs`; skipped where it fails."""

from __future__ import annotations

import errno
import subprocess
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.landing import keep_rejected, land
from pipelines.disk import DiskFull, naming_disk_full
from pipelines.read.cards.swap import publish_site, target
from sources.errors import SourceError
from sources.payload import Part, Payload

BIG = b"x" * 2 * 2**20  # twice the filesystem


@pytest.fixture
def full(tmp_path: Path):
    """A 1 MiB tmpfs."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


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
