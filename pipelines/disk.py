"""A full disk, named as such: every write of a refresh (landing a payload, publishing the
warehouse, the cards) turns "No space left on device", whichever layer met it (Python's OSError
ENOSPC/EDQUOT, or DuckDB's IO error text), into one DiskFull whose message keeps that cause,
says what was being written where and how much space is left there."""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FULL = (errno.ENOSPC, errno.EDQUOT)


class DiskFull(OSError):
    """No space left on the device a refresh writes to; the published files are unchanged."""


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in FULL:
        return True
    return "no space left on device" in str(exc).lower()  # DuckDB's IO errors carry the text


def free_space(folder: Path) -> str:
    """The space left on the filesystem of `folder` (its nearest existing parent)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return f"{shutil.disk_usage(folder).free / 2**20:.1f} MiB free"
    except OSError:
        return "free space unknown"


def disk_full_line(exc: BaseException) -> str:
    """The line of the error's message that says the disk is full (a dbt failure's message opens
    with the dbt command; the model's IO error comes later), else its first line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    named = [line for line in lines if "no space left on device" in line.lower()]
    return (named or lines or [type(exc).__name__])[0]


@contextmanager
def naming_disk_full(what: str, folder: Path) -> Iterator[None]:
    """Re-raise a full disk met inside as DiskFull naming `what` was written in `folder`."""
    try:
        yield
    except DiskFull:
        raise
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        cause = disk_full_line(exc)
        raise DiskFull(
            errno.ENOSPC,
            f"no space left on device (ENOSPC) while {what} in {folder} ({free_space(folder)}); "
            f"free some space and refresh again. Cause: {cause}",
        ) from exc
