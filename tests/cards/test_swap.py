"""The cards swap (pipelines/read/cards/swap.py): a process SIGKILLed at every step of a publish
leaves `cards` on a complete site, the old or the new; the next publish tidies what the killed
one left; the rollback copy is never written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.read.cards.swap import previous_link, publish_site, target, versions
from tests.conftest import REPO

PAGES = 20
# Every point where the publish can die: halfway through rendering, then each _step of the swap.
STEPS = ["rendering", "tidied", "rendered", "kept the rollback copy", "swapped"]
LEGACY_STEPS = [*STEPS, "moved the old folder aside"]

CHILD = f"""
import os, signal, sys
from pathlib import Path
from pipelines.read.cards import swap

cards, kill_at, version = Path(sys.argv[1]), sys.argv[2], sys.argv[3]

def step(name):
    if name == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

def render(folder):
    for i in range({PAGES}):
        if kill_at == "rendering" and i == {PAGES} // 2:
            os.kill(os.getpid(), signal.SIGKILL)
        (folder / f"page{{i}}.html").write_text(version)
    (folder / "index.html").write_text(version)

swap._step = step
swap.publish_site(cards, render)
"""


def publish(cards: Path, version: str, kill_at: str = "") -> int:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(cards), kill_at, version],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode in (0, -9), child.stderr
    return child.returncode


def site_version(folder: Path) -> str:
    """The version a folder holds, asserting it is a complete site of one version."""
    assert (folder / "index.html").is_file(), f"{folder} has no index.html"
    pages = {(folder / f"page{i}.html").read_text() for i in range(PAGES)}
    index = (folder / "index.html").read_text()
    assert pages == {index}, f"{folder} mixes versions {pages | {index}}"
    return index


def legacy_site(cards: Path, version: str) -> None:
    """A `cards` folder as the layout before versioned folders wrote it."""
    cards.mkdir(parents=True)
    for i in range(PAGES):
        (cards / f"page{i}.html").write_text(version)
    (cards / "index.html").write_text(version)


@pytest.mark.parametrize("kill_at", STEPS)
def test_sigkill_at_every_step_leaves_a_complete_site(tmp_path: Path, kill_at: str):
    cards = tmp_path / "cards"
    assert publish(cards, "v1") == 0
    assert publish(cards, "v2") == 0
    assert publish(cards, "v3", kill_at) == -9
    shown = site_version(cards)
    assert shown == ("v3" if kill_at == "swapped" else "v2")
    site_version(previous_link(cards))  # the rollback copy is whole too
    # the next publish tidies every leftover of the killed one
    assert publish(cards, "v4") == 0
    assert site_version(cards) == "v4"
    assert site_version(previous_link(cards)) == shown
    assert set(versions(cards)) == {target(cards), target(previous_link(cards))}


@pytest.mark.parametrize("kill_at", LEGACY_STEPS)
def test_sigkill_while_leaving_the_old_layout(tmp_path: Path, kill_at: str):
    """A real `cards` folder (the layout before this one) becomes the rollback copy; a kill on
    the way leaves it or the new site whole (between its two renames, the rollback copy)."""
    cards = tmp_path / "cards"
    legacy_site(cards, "old")
    assert publish(cards, "v1", kill_at) == -9
    if cards.exists():
        assert site_version(cards) == ("v1" if kill_at == "swapped" else "old")
    else:  # killed between moving the old folder aside and linking the new site
        assert kill_at == "moved the old folder aside"
        assert site_version(previous_link(cards)) == "old"
    assert publish(cards, "v2") == 0
    assert site_version(cards) == "v2"
    site_version(previous_link(cards))
    assert set(versions(cards)) == {target(cards), target(previous_link(cards))}


def test_the_rollback_copy_is_never_written(tmp_path: Path):
    cards = tmp_path / "cards"

    def render(version: str):
        def write(folder: Path) -> None:
            for i in range(PAGES):
                (folder / f"page{i}.html").write_text(version)
            (folder / "index.html").write_text(version)

        return write

    publish_site(cards, render("v1"))
    publish_site(cards, render("v2"))
    oldest = target(previous_link(cards))
    live = target(cards)
    files = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in live.iterdir()}
    publish_site(cards, render("v3"))
    assert target(previous_link(cards)) == live  # v2 becomes the rollback copy, as it was
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in live.iterdir()} == files
    assert site_version(live) == "v2" and site_version(cards) == "v3"
    assert not oldest.exists()  # v1, two publishes old, is tidied
