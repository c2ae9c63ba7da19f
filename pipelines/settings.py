"""citydip's settings: the variables pipelines/ reads from the environment, read here and only
here, into one frozen Settings, with defaults that work on a fresh clone.

The Dagster code location gets it as the `settings` resource (pipelines/definitions.py); the
commands outside Dagster call `load_settings()`. Nothing writes the environment: `citydip refresh
--live` builds its definitions from a changed copy (`Settings.with_live`). The HTTP client's limits
(timeouts, deadlines, size caps, retries) are read here too (`load_http_limits`, also what the
client uses when called outside Dagster); the provider library (sources/) reads only
`CITYDIP_<SOURCE>_BASE_URL` and secrets (README.md, Configuration).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


@dataclass(frozen=True)
class HttpLimits:
    """What one fetch may cost; each field has its variable (pipelines/settings.py)."""

    connect_timeout: float = 10.0  # CITYDIP_HTTP_CONNECT_TIMEOUT, seconds per connect
    read_timeout: float = 60.0  # CITYDIP_HTTP_READ_TIMEOUT, seconds per socket read
    request_deadline: float = 180.0  # CITYDIP_HTTP_DEADLINE, seconds per request, all in
    fetch_deadline: float = 600.0  # CITYDIP_HTTP_FETCH_DEADLINE, seconds per source fetch
    max_bytes: int = 64 * MIB  # CITYDIP_HTTP_MAX_BYTES, one response body
    max_fetch_bytes: int = 128 * MIB  # CITYDIP_HTTP_MAX_FETCH_BYTES, every response of a fetch
    retries: int = 4  # CITYDIP_HTTP_RETRIES, on 429/5xx and connection errors
    backoff: float = 1.0  # CITYDIP_HTTP_BACKOFF, exponential backoff factor


REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
MODES = ("snapshot", "live")
# CITYDIP_ENGINE: what runs the dbt project (docs/operations.md); the published warehouse is a
# DuckDB file either way.
ENGINES = ("duckdb", "spark")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A variable whose value citydip cannot use; the message starts with the variable's name."""


@dataclass(frozen=True)
class Settings:
    home: Path
    dagster_home: Path
    source_mode: str = "snapshot"
    live_sources: frozenset[str] = frozenset()
    dbt_vars: Mapping[str, Any] = field(default_factory=dict)
    fetch_retries: int = 2
    fetch_retry_delay: float = 30.0
    dagster_log_level: str = "WARNING"
    http: HttpLimits = HttpLimits()
    engine: str = "duckdb"

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
    def spark_dir(self) -> Path:
        """CITYDIP_ENGINE=spark: the raw observations as Parquet (raw/<table>/), Spark's tables
        (warehouse/) and its metastore (metastore_db/); dbt var citydip_spark_dir."""
        return self.build_dir / "spark"

    @property
    def raw_dir(self) -> Path:
        return self.home / "raw"

    @property
    def cards_dir(self) -> Path:
        return self.home / "cards"

    def is_live(self, source_id: str) -> bool:
        return self.source_mode == "live" or source_id in self.live_sources

    def with_live(self, sources: Iterable[str] | None) -> Settings:
        """`citydip refresh --live`: the named sources live (the others as configured), or,
        with none named, every source."""
        if sources:
            return replace(self, live_sources=frozenset(sources))
        return replace(self, source_mode="live")


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """Settings from the environment; a value it cannot use raises SettingsError naming it."""
    home = environ.get("CITYDIP_HOME") or REPO_ROOT / "warehouse"
    dagster_home = environ.get("DAGSTER_HOME") or REPO_ROOT / ".dagster"
    return Settings(
        home=Path(home).expanduser().resolve(),
        dagster_home=Path(dagster_home).expanduser().resolve(),
        source_mode=_choice(environ, "CITYDIP_SOURCE_MODE", MODES, "snapshot", str.lower),
        live_sources=frozenset(_names(environ.get("CITYDIP_LIVE_SOURCES", ""))),
        dbt_vars=_json_object(environ, "CITYDIP_DBT_VARS"),
        fetch_retries=_number(environ, "CITYDIP_FETCH_RETRIES", 2, int),
        fetch_retry_delay=_number(environ, "CITYDIP_FETCH_RETRY_DELAY", 30.0, float),
        dagster_log_level=_choice(
            environ, "CITYDIP_DAGSTER_LOG_LEVEL", LOG_LEVELS, "WARNING", str.upper
        ),
        http=load_http_limits(environ),
        engine=_choice(environ, "CITYDIP_ENGINE", ENGINES, "duckdb", str.lower),
    )


def load_http_limits(environ: Mapping[str, str] = os.environ) -> HttpLimits:
    """The HTTP client's limits (sources/http.py); a bad value raises SettingsError naming it."""
    default = HttpLimits()
    return HttpLimits(
        connect_timeout=_number(environ, "CITYDIP_HTTP_CONNECT_TIMEOUT", default.connect_timeout),
        read_timeout=_number(environ, "CITYDIP_HTTP_READ_TIMEOUT", default.read_timeout),
        request_deadline=_number(environ, "CITYDIP_HTTP_DEADLINE", default.request_deadline),
        fetch_deadline=_number(environ, "CITYDIP_HTTP_FETCH_DEADLINE", default.fetch_deadline),
        max_bytes=_number(environ, "CITYDIP_HTTP_MAX_BYTES", default.max_bytes, int),
        max_fetch_bytes=_number(
            environ, "CITYDIP_HTTP_MAX_FETCH_BYTES", default.max_fetch_bytes, int
        ),
        retries=_number(environ, "CITYDIP_HTTP_RETRIES", default.retries, int),
        backoff=_number(environ, "CITYDIP_HTTP_BACKOFF", default.backoff),
    )


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _choice(
    environ: Mapping[str, str], name: str, choices: tuple[str, ...], default: str, normalise
) -> str:
    """One of `choices` (`default` when unset), compared after `normalise` (e.g. str.lower)."""
    value = normalise(environ.get(name, "").strip()) or default
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _number(environ: Mapping[str, str], name: str, default: float, kind: type = float) -> Any:
    """A non-negative int or float (`default` when unset)."""
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or value < 0:
        noun = "whole number" if kind is int else "number"
        raise SettingsError(f"{name} must be a non-negative {noun}, not {text!r}")
    return value


def _json_object(environ: Mapping[str, str], name: str) -> dict:
    """A JSON object (`{}` when unset), e.g. '{"normalisation": "z_score"}'."""
    text = environ.get(name, "").strip() or "{}"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{name} is not valid JSON ({exc}): {text!r}") from None
    if not isinstance(value, dict):
        raise SettingsError(f'{name} must be a JSON object such as {{"a": 1}}, not {text!r}')
    return value
