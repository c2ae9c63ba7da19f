"""`make snapshots-check` (sources/snapshots/check.py): every shipped snapshot is what its in-repo
inputs rebuild, byte for byte, or what its manifest's sha256 pins; a changed byte is named."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

from sources.source import SNAPSHOT_ROOT

REPO = SNAPSHOT_ROOT.parents[1]
# What the build scripts read: the snapshots (with their source_export/), the city seed, and
# the OpenAlex institution list. A copy of these alone is a repository with nothing outside it.
INPUTS = ["sources/snapshots", "sources/openalex_institutions.csv", "dbt_project/seeds/cities.csv"]


def load_check():
    spec = importlib.util.spec_from_file_location("snapshots_check", SNAPSHOT_ROOT / "check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def copy_of_the_inputs(root: Path) -> Path:
    for name in INPUTS:
        source, target = REPO / name, root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    return root / "sources" / "snapshots"


def flip_a_byte(path: Path) -> None:
    body = bytearray(path.read_bytes())
    body[len(body) // 2] ^= 0x01
    path.write_bytes(bytes(body))


def test_every_shipped_snapshot_matches_its_inputs():
    check = load_check()
    checked, problems = check.check()
    assert problems == []
    folders = [p for p in SNAPSHOT_ROOT.iterdir() if p.is_dir() and p.name[0] not in "._"]
    assert len(checked) == len(folders) >= 20
    rebuilt = {line.split(":")[0] for line in checked if "rebuilt" in line}
    # every snapshot made by a script, the five of issue 17 among them
    assert rebuilt == {p.parent.name for p in SNAPSHOT_ROOT.glob("*/build.py")}
    assert {"worldbank", "comtrade", "the_rankings", "qs_rankings", "openflights"} <= rebuilt


def test_build_scripts_read_their_command_line_only_through_build_cli():
    """OUTDIR and --upstream: no other path (such as a data folder beside the repository)."""
    for script in SNAPSHOT_ROOT.glob("*/build.py"):
        text = script.read_text(encoding="utf-8")
        assert "sys.argv" not in text and "run(__doc__, HERE, build_into" in text, script


def test_a_changed_byte_is_named_on_a_copy_with_nothing_outside_the_repository(tmp_path: Path):
    snapshots = copy_of_the_inputs(tmp_path / "clone")
    flip_a_byte(snapshots / "worldbank" / "SP.POP.TOTL.json")  # rebuilt by build.py
    flip_a_byte(snapshots / "gfci" / "gfci.csv")  # pinned by its manifest's sha256
    (snapshots / "openflights" / "routes.dat").unlink()  # built, but no longer shipped
    manifest_path = snapshots / "hk_immigration" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    del manifest["parts"][0]["sha256"]  # neither rebuilt nor pinned
    manifest_path.write_text(json.dumps(manifest))

    result = subprocess.run(
        [sys.executable, str(snapshots / "check.py")], capture_output=True, text=True
    )

    assert result.returncode == 1, result.stdout + result.stderr
    named = sorted(
        line.strip().split(":")[0] for line in result.stdout.splitlines() if line.startswith("  ")
    )
    assert named == [
        "gfci/gfci.csv",
        "hk_immigration/statistics_on_daily_passenger_traffic.csv",
        "openflights/routes.dat",
        "worldbank/SP.POP.TOTL.json",
    ]
    assert "4 difference(s)" in result.stdout
    assert "worldbank/SP.POP.TOTL.json: differs from its rebuild from byte" in result.stdout


def test_a_changed_input_is_seen_in_the_rebuilt_snapshot(tmp_path: Path):
    snapshots = copy_of_the_inputs(tmp_path / "clone")
    export = snapshots / "qs_rankings" / "source_export" / "qs_top100_excerpt.csv"
    text = export.read_text(encoding="utf-8")
    export.write_text(text.replace("2025,17,The University", "2025,117,The University"))

    result = subprocess.run(
        [sys.executable, str(snapshots / "check.py"), "qs_rankings"],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert "qs_rankings/qs_top100_universities.csv: differs from its rebuild" in result.stdout
