"""Live progress of a refresh from its Dagster events: per source fetch, dbt model and card."""

from __future__ import annotations

from typing import Any

from dagster import DagsterEventType, EventLogEntry
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def dagster_log_config(level: str) -> dict[str, Any]:
    """The run's console logger reports warnings only (the progress bar shows the rest), unless
    CITYDIP_DAGSTER_LOG_LEVEL (Settings.dagster_log_level) asks for more (e.g. DEBUG, to follow
    every step on stderr)."""
    return {"loggers": {"console": {"config": {"log_level": level}}}}


def describe(asset: list[str]) -> str:
    """What a materialisation means to a reader of the terminal."""
    if asset[0] == "payloads":
        return f"fetched {asset[-1]}"
    if asset[0] == "raw":
        return f"loaded {asset[-1].removesuffix('_observations')}"
    if asset[-1] == "published_warehouse":
        return "published the warehouse"
    if asset[-1] == "scorecard_cards":
        return "rendered the cards"
    return f"dbt model {asset[-1]}"


class RefreshProgress:
    """An event listener for DagsterInstance.add_event_listener, drawing a rich progress bar."""

    def __init__(self, console: Console, assets: int) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<40}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self.assets = self.progress.add_task("refreshing", total=assets)
        self.cards: Any = None

    def __enter__(self) -> RefreshProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, entry: EventLogEntry) -> None:
        event = entry.dagster_event
        if event is None:
            message = entry.user_message or ""
            if message.startswith("card "):
                if self.cards is None:
                    self.cards = self.progress.add_task("cards", total=None)
                self.progress.update(self.cards, advance=1, description=message)
            return
        if event.event_type == DagsterEventType.STEP_START:
            self.progress.update(self.assets, description=f"running {event.step_key}")
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION and event.asset_key:
            self.progress.update(
                self.assets, advance=1, description=describe(list(event.asset_key.path))
            )
