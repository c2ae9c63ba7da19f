"""`citydip snapshot SOURCE`: the newest landed payload becomes the source's offline snapshot."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.cli.main import main
from pipelines.defs.landing import land
from sources import SOURCES
from sources.payload import Part, Payload


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CITYDIP_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def live_gfci(rows_dropped: int) -> Payload:
    """What a live fetch of the GFCI publication would land: the shipped file minus some rows."""
    shipped = SOURCES["gfci"].snapshot()
    part = shipped.parts[0]
    lines = part.body.decode().splitlines(keepends=True)
    body = "".join(lines[: len(lines) - rows_dropped]).encode()
    fetched = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    return Payload("gfci", (Part(part.url, body, part.suffix),), fetched_at=fetched)


def test_the_landed_payload_becomes_the_snapshot(home: Path, tmp_path: Path, capsys):
    payload = live_gfci(rows_dropped=2)
    land(home / "raw", payload)
    into = tmp_path / "snapshots"
    (into / "gfci").mkdir(parents=True)
    (into / "gfci" / "README.md").write_text("provenance")

    assert main(["snapshot", "gfci", "--into", str(into)]) == 0

    assert "gfci: kept 1 response(s) fetched 2026-11-20 08:30 UTC" in capsys.readouterr().out
    manifest = json.loads((into / "gfci" / "manifest.json").read_text())
    assert manifest["retrieved_at"] == "2026-11-20T08:30:00+00:00"
    assert [p["url"] for p in manifest["parts"]] == [payload.parts[0].url]
    # the response's hash, which `make snapshots-check` verifies for a folder without build.py
    assert [p["sha256"] for p in manifest["parts"]] == [payload.parts[0].sha256]
    assert (into / "gfci" / "README.md").read_text() == "provenance"  # the rest stays
    kept = dataclasses.replace(SOURCES["gfci"], snapshot_dir=into)
    offline = kept.observations(kept.snapshot())
    assert len(offline) == len(SOURCES["gfci"].observations(SOURCES["gfci"].snapshot())) - 2
    assert offline["payload_sha256"].unique().tolist() == [payload.sha256]


def test_a_second_snapshot_replaces_the_first_files(home: Path, tmp_path: Path):
    into = tmp_path / "snapshots"
    land(home / "raw", live_gfci(rows_dropped=1))
    assert main(["snapshot", "gfci", "--into", str(into)]) == 0
    (into / "gfci" / "gfci-01.csv").write_text("stale")
    land(home / "raw", live_gfci(rows_dropped=3))
    assert main(["snapshot", "gfci", "--into", str(into)]) == 0
    assert sorted(p.name for p in (into / "gfci").iterdir()) == ["gfci-01.csv", "manifest.json"]
    assert (into / "gfci" / "gfci-01.csv").read_bytes() == live_gfci(rows_dropped=3).parts[0].body


def test_nothing_landed_says_how_to_land_it(home: Path, tmp_path: Path, capsys):
    assert main(["snapshot", "wikidata", "--into", str(tmp_path)]) == 1
    assert "citydip refresh --live --select wikidata" in capsys.readouterr().out
    assert not (tmp_path / "wikidata").exists()


def test_a_payload_that_does_not_validate_is_not_kept(home: Path, tmp_path: Path, capsys):
    good = live_gfci(rows_dropped=0)
    broken = Part(good.parts[0].url, good.parts[0].body.replace(b",rank,", b",percent,"), "csv")
    land(home / "raw", dataclasses.replace(good, parts=(broken,)))
    assert main(["snapshot", "gfci", "--into", str(tmp_path)]) == 1
    assert "does not validate" in capsys.readouterr().out
    assert not (tmp_path / "gfci").exists()


def test_unknown_source_suggests_the_close_one(capsys):
    assert main(["snapshot", "wikidat"]) == 2
    assert "did you mean wikidata" in capsys.readouterr().out
