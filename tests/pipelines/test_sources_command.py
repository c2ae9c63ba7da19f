"""`citydip sources`: the catalogue an operator reads before a refresh."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.cli.main import main
from sources import SOURCES


def listed(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    assert main(["sources", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def land_pointer(home: Path, source_id: str, fetched_at: datetime) -> None:
    folder = home / "raw" / source_id
    folder.mkdir(parents=True)
    (folder / "latest.json").write_text(
        json.dumps({"sha256": "0" * 64, "fetched_at": fetched_at.isoformat(), "parts": []})
    )


def test_json_lists_every_registered_source_with_its_indicators(citydip_home, capsys):
    rows = listed(capsys)
    assert [r["id"] for r in rows] == list(SOURCES)
    by_id = {r["id"]: r for r in rows}
    for source_id, source in SOURCES.items():
        assert by_id[source_id]["indicators"] == sorted(source.indicators)
        assert by_id[source_id]["cadence"] == source.cadence.label
        assert by_id[source_id]["title"] == source.title
    assert {"openflights", "hk_immigration", "singstat"} <= set(by_id)


def test_mode_follows_source_mode_and_live_sources(citydip_home, capsys, monkeypatch):
    assert {r["mode"] for r in listed(capsys)} == {"snapshot"}
    monkeypatch.setenv("CITYDIP_LIVE_SOURCES", "openflights,singstat")
    modes = {r["id"]: r["mode"] for r in listed(capsys)}
    assert modes["openflights"] == modes["singstat"] == "live"
    assert modes["worldbank"] == "snapshot"
    monkeypatch.setenv("CITYDIP_SOURCE_MODE", "live")
    assert {r["mode"] for r in listed(capsys)} == {"live"}


def test_base_url_honours_the_override(citydip_home, capsys, monkeypatch):
    monkeypatch.setenv("CITYDIP_OPENFLIGHTS_BASE_URL", "http://mirror.example/openflights/")
    urls = {r["id"]: r["base_url"] for r in listed(capsys)}
    assert urls["openflights"] == "http://mirror.example/openflights"
    assert urls["worldbank"] == "https://api.worldbank.org/v2"


def test_age_of_last_fetch_comes_from_latest_json_and_is_never_when_absent(citydip_home, capsys):
    land_pointer(citydip_home, "openflights", datetime.now(UTC) - timedelta(days=3, hours=2))
    rows = {r["id"]: r for r in listed(capsys)}
    assert rows["openflights"]["age"] == "3d 2h"
    assert rows["openflights"]["age_seconds"] >= 3 * 86400
    assert rows["openflights"]["last_fetched_at"].startswith(
        (datetime.now(UTC) - timedelta(days=3, hours=2)).date().isoformat()
    )
    assert rows["worldbank"]["age"] == "never"
    assert rows["worldbank"]["last_fetched_at"] is None


def test_table_format_names_every_source(citydip_home, capsys):
    assert main(["sources"]) == 0
    out = capsys.readouterr().out
    for source_id in SOURCES:
        assert source_id in out
    assert "never" in out


def test_bad_source_mode_is_reported(citydip_home, capsys, monkeypatch):
    monkeypatch.setenv("CITYDIP_SOURCE_MODE", "sometimes")
    assert main(["sources", "--format", "json"]) == 2
    assert "CITYDIP_SOURCE_MODE" in capsys.readouterr().err


def test_console_script_json_lists_every_registered_source(citydip_home, citydip_process):
    result = citydip_process("sources", "--format", "json", env={"CITYDIP_HOME": str(citydip_home)})
    assert result.returncode == 0, result.stderr
    assert {r["id"] for r in json.loads(result.stdout)} == set(SOURCES)


def test_the_catalogue_covers_every_provider_of_the_source_table(citydip_home, capsys):
    """World Bank, Comtrade, OpenAlex, Wikidata, OpenFlights, the city portals (HK, Singapore)
    and each curated publication (QS, THE, GFCI, regional HQ, IPO funds) is a source."""
    ids = {r["id"] for r in listed(capsys)}
    assert len(ids) >= 10
    assert {
        "worldbank",
        "comtrade",
        "openalex",
        "wikidata",
        "openflights",
        "hk_immigration",
        "singstat",
        "qs_rankings",
        "the_rankings",
        "gfci",
        "regional_hq",
        "ipo_funds",
    } <= ids
