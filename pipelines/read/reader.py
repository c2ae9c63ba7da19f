"""Read-only access to the published warehouse, for the CLI and the cards."""

from __future__ import annotations

from pathlib import Path

import duckdb


class WarehouseMissing(FileNotFoundError):
    pass


def open_published(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection with external access disabled and the configuration locked:
    no writes, no files, no ATTACH, no extension installs, no way to turn them back on."""
    if not path.exists():
        raise WarehouseMissing(
            f"no published warehouse at {path}: run `citydip refresh` (or `make run`) first"
        )
    return duckdb.connect(
        str(path),
        read_only=True,
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "lock_configuration": True,
        },
    )
