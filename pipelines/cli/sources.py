"""`citydip sources`: every source with its mode, base URL, cadence, indicators and data age."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipelines.settings import Settings, load_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sources",
        help="list the sources: mode, base URL, cadence, indicators, last fetch",
        description="List every registered source with its mode (snapshot or live, from "
        "CITYDIP_SOURCE_MODE / CITYDIP_LIVE_SOURCES), base URL (CITYDIP_<SOURCE>_BASE_URL), "
        "cadence, indicators and the age of its last successful fetch in CITYDIP_HOME/raw.",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(handler=run)


def last_fetch(raw_dir: Path, source_id: str) -> datetime | None:
    """When the newest landed payload of a source was fetched; None if nothing was landed."""
    pointer = raw_dir / source_id / "latest.json"
    try:
        fetched_at = json.loads(pointer.read_text())["fetched_at"]
        return datetime.fromisoformat(fetched_at)
    except (FileNotFoundError, KeyError, ValueError):
        return None


def describe_age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h {minutes % 60}m"
    return f"{hours // 24}d {hours % 24}h"


def catalogue(settings: Settings, now: datetime) -> list[dict]:
    from sources import SOURCES

    rows = []
    for source in SOURCES.values():
        fetched = last_fetch(settings.raw_dir, source.id)
        age = (now - fetched).total_seconds() if fetched else None
        rows.append(
            {
                "id": source.id,
                "title": source.title,
                "mode": "live" if settings.is_live(source.id) else "snapshot",
                "base_url": source.base_url,
                "cadence": source.cadence.label,
                "indicators": sorted(source.indicators),
                "publisher": source.publisher,
                "licence": source.licence,
                "last_fetched_at": fetched.isoformat() if fetched else None,
                "age_seconds": age,
                "age": describe_age(age),
            }
        )
    return rows


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    rows = catalogue(settings, datetime.now(UTC))
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    table = Table(title=f"citydip sources — raw payloads in {settings.raw_dir}")
    for column in ("id", "title", "mode", "base URL", "cadence", "indicators", "last fetch"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["id"],
            row["title"],
            row["mode"],
            row["base_url"],
            row["cadence"],
            "\n".join(row["indicators"]),
            row["age"] if row["age"] == "never" else f"{row['age']} ago",
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=180)  # piped: do not squeeze URLs into 80 columns
    console.print(table)
    return 0
