"""Publish the cards site by one atomic rename, so `cards` always resolves to a complete site.

Layout in CITYDIP_HOME (for `cards`):

    .cards.<version>/    one rendered site per publish, never written again once rendered
    cards -> .cards.<version>            a symlink: what readers and browsers open
    cards.previous -> .cards.<version>   the site it replaced: the rollback copy

A publish renders into a new `.cards.<version>/` (a name never used before), points
`cards.previous` at the site `cards` shows, then replaces the `cards` symlink with `os.replace`
(one rename(2)). A process killed at any step leaves `cards` on the old site or the new one,
never on none or half of one; the folders nothing points to are tidied at the start of the next
publish (`tidy`, also run when `citydip refresh` starts). The rollback copy is never written:
a new site always gets a new folder. A `cards` folder of the layout before this one (a real
directory) becomes the rollback copy on the first publish; only then, between two renames, is
there an instant without `cards`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from pipelines.disk import naming_disk_full

T = TypeVar("T")
PREVIOUS = ".previous"


def _step(name: str) -> None:
    """A point between two steps of the swap (the crash test kills the process at each)."""


def versions(cards: Path) -> list[Path]:
    """Every entry of the versioned layout beside `cards` (folders and temporary links)."""
    return sorted(cards.parent.glob(f".{cards.name}.*"))


def target(link: Path) -> Path | None:
    """The version folder a symlink points to, or None when it is no symlink."""
    if not link.is_symlink():
        return None
    return link.parent / os.readlink(link)


def tidy(cards: Path) -> list[Path]:
    """Remove what no link points to: half-rendered sites, sites two publishes old, temporary
    links of a publish that was killed. Return what was removed."""
    kept = {target(cards), target(previous_link(cards))}
    removed = []
    for entry in versions(cards):
        if entry in kept:
            continue
        if entry.is_symlink() or entry.is_file():
            entry.unlink(missing_ok=True)
        else:
            shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def previous_link(cards: Path) -> Path:
    return cards.with_name(cards.name + PREVIOUS)


def new_version(cards: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    folder = cards.with_name(f".{cards.name}.{stamp}-{uuid.uuid4().hex[:8]}")
    folder.mkdir(parents=True)  # exclusive: an existing site is never written into
    return folder


def relink(link: Path, folder: Path) -> None:
    """Point `link` at `folder` by one rename over it (a relative link: the home can move)."""
    temporary = link.with_name(f".{link.name}.link-{uuid.uuid4().hex[:8]}")
    temporary.symlink_to(folder.name)
    os.replace(temporary, link)


def publish_site(cards: Path, render: Callable[[Path], T]) -> T:
    """Render into a new version folder with `render(folder)`, then swap it in for `cards`."""
    cards.parent.mkdir(parents=True, exist_ok=True)
    tidy(cards)
    _step("tidied")
    folder = new_version(cards)
    try:
        with naming_disk_full("rendering the cards", folder):
            result = render(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # half a site frees its space at once
        raise
    _fsync_dir(folder)
    _step("rendered")
    if cards.is_dir() and not cards.is_symlink():
        # the layout before versioned folders: its folder becomes the rollback copy (the link
        # first, so that a crash never leaves the folder unreferenced and tidied away)
        legacy = cards.with_name(f"{folder.name}-legacy")
        relink(previous_link(cards), legacy)
        _step("kept the rollback copy")
        os.replace(cards, legacy)
        _step("moved the old folder aside")
    elif (shown := target(cards)) is not None:
        relink(previous_link(cards), shown)
        _step("kept the rollback copy")
    relink(cards, folder)
    _fsync_dir(cards.parent)
    _step("swapped")
    tidy(cards)
    return result


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
