"""Runtime configuration from the environment, with defaults that work on a fresh clone."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
MODES = ("snapshot", "live")


@dataclass(frozen=True)
class Settings:
    home: Path
    source_mode: str
    live_sources: frozenset[str]

    @property
    def published_db(self) -> Path:
        """The warehouse analysts open (read-only); replaced atomically by publish."""
        return self.home / "citydip.duckdb"

    @property
    def build_dir(self) -> Path:
        return self.home / "build"

    @property
    def build_db(self) -> Path:
        """The working database the pipeline writes (never opened by analysts)."""
        return self.build_dir / "citydip_build.duckdb"

    @property
    def raw_dir(self) -> Path:
        return self.home / "raw"

    @property
    def cards_dir(self) -> Path:
        return self.home / "cards"

    def is_live(self, source_id: str) -> bool:
        return self.source_mode == "live" or source_id in self.live_sources


def load_settings() -> Settings:
    home = Path(os.environ.get("CITYDIP_HOME", REPO_ROOT / "warehouse")).expanduser().resolve()
    mode = os.environ.get("CITYDIP_SOURCE_MODE", "snapshot").strip().lower()
    if mode not in MODES:
        raise ValueError(f"CITYDIP_SOURCE_MODE must be one of {MODES}, not {mode!r}")
    live = os.environ.get("CITYDIP_LIVE_SOURCES", "")
    return Settings(
        home=home,
        source_mode=mode,
        live_sources=frozenset(s.strip() for s in live.split(",") if s.strip()),
    )
