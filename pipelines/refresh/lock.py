"""One refresh at a time: an exclusive, non-blocking flock on CITYDIP_HOME/build/refresh.lock.

The kernel drops the lock when the holder exits, however it exits (even SIGKILL), so a crash
never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RefreshInProgress(RuntimeError):
    pass


@contextmanager
def refresh_lock(build_dir: Path) -> Iterator[None]:
    build_dir.mkdir(parents=True, exist_ok=True)
    path = build_dir / "refresh.lock"
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise RefreshInProgress(
                f"another refresh holds the warehouse (pid {holder}, lock {path}); "
                "wait for it to finish or check `citydip status`"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
