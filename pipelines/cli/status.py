"""`citydip status`: freshness of every source against its cadence, checks, mart builds, failures."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table

EXIT_OVERDUE = 3
EXIT_ANOMALY = 5  # the newest edition has anomalies against the previous one


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status",
        help="freshness per source, last checks, mart builds, last failure",
        description="Read the Dagster instance (DAGSTER_HOME): per source the last fetch and its "
        "age against the source's cadence (overdue flagged), the last schema check; per mart "
        "the last build; the last failure with its message; and the data's own age: the newest "
        "period each source holds in the published warehouse of CITYDIP_HOME and the date of "
        "its payload. Exits 3 when a source is overdue, its last check failed or a fetch failed "
        "after its last good one, 5 when the newest edition has anomalies against the previous "
        "one (listed), for monitoring.",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pipelines.definitions import defs
    from pipelines.read.status import collect_status
    from pipelines.refresh.instance import get_instance
    from pipelines.settings import load_settings

    settings = load_settings()
    status = collect_status(
        defs, get_instance(settings.dagster_home), published_db=settings.published_db
    )
    anomalies = edition_anomalies(settings.published_db)
    if args.format == "json":
        print(json.dumps({**to_json(status), "anomalies": anomalies}, indent=2))
    else:
        print_tables(Console(), status)
        print_anomalies(Console(), anomalies)
    unhealthy = any(s.overdue or s.failed for s in status.sources)
    if unhealthy:
        return EXIT_OVERDUE
    return EXIT_ANOMALY if anomalies else 0


def edition_anomalies(published) -> list[dict]:
    """The newest edition's anomalies against the previous one (docs/operations.md)."""
    from pipelines.editions.anomalies import newest_anomalies
    from pipelines.read.reader import WarehouseMissing, open_published

    try:
        with open_published(published) as con:
            return [{k: v for k, v in a.items() if v is not None} for a in newest_anomalies(con)]
    except WarehouseMissing:
        return []


def print_anomalies(console: Console, anomalies: list[dict]) -> None:
    if not anomalies:
        console.print("anomalies of the newest edition: none")
    for a in anomalies:
        console.print(f"[yellow]anomaly[/] edition {a['edition_id']} {a['kind']}: {a['detail']}")


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


def to_json(status) -> dict:
    def clean(obj):
        if isinstance(obj, dict):
            return {k: clean(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [clean(v) for v in obj]
        return _iso(obj)

    return clean(asdict(status))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def print_tables(console: Console, status) -> None:
    sources = Table(title=f"sources — {_when(status.now)}")
    for column in (
        "source",
        "cadence",
        "last fetch",
        "fetch age",
        "fresh",
        "newest data",
        "data dated",
        "rows",
        "schema check",
    ):
        sources.add_column(column)
    for s in status.sources:
        age = f"{s.age_days:g}d" if s.age_days is not None else "—"
        fresh = (
            f"[red]OVERDUE[/] >{s.overdue_after_days:g}d"
            if s.overdue
            else f"[green]ok[/] ≤{s.overdue_after_days:g}d"
        )
        if s.check is None:
            check = "not run"
        elif s.check.passed:
            check = f"[green]passed[/] {_when(s.check.at)}"
        else:
            check = f"[red]FAILED[/] {_when(s.check.at)}: {s.check.description}"
        rows = "—" if s.rows is None else str(s.rows)
        newest = "—" if s.newest_period is None else str(s.newest_period)
        dated = f"{s.data_date:%Y-%m-%d} ({s.data_age_days:g}d)" if s.data_date is not None else "—"
        if s.failed_fetch is not None:
            fresh = "[red]FETCH FAILED[/]"
        sources.add_row(
            s.source, s.cadence, _when(s.last_fetch), age, fresh, newest, dated, rows, check
        )
    console.print(sources)
    for s in status.sources:
        if s.failed_fetch is not None:
            console.print(
                f"[red]fetch failed[/] {s.source} {_when(s.failed_fetch.failed_at)}: "
                f"{escape(s.failed_fetch.error)}",
                soft_wrap=True,
                markup=True,
                highlight=False,
            )

    marts = Table(title="marts and published outputs")
    for column in ("asset", "group", "last build", "rows"):
        marts.add_column(column)
    for m in status.marts:
        rows = "—" if m.rows is None else str(m.rows)
        marts.add_row(m.asset, m.group, _when(m.last_build), rows)
    console.print(marts)

    for run in status.running:
        console.print(f"[yellow]running:[/] {run}")
    failure = status.last_failure
    if failure is None:
        console.print("last failure: none recorded")
    else:
        assets = ", ".join(failure.assets) or "no asset"
        console.print(
            f"[red]last failure[/] {_when(failure.failed_at)} in run {failure.run_id} "
            f"({failure.job}) on {assets}: {failure.error}"
        )
