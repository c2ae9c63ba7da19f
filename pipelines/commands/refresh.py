"""`citydip refresh`: materialise every asset in-process on the persistent Dagster instance."""

from __future__ import annotations

import argparse
import os

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipelines.instance import get_instance
from pipelines.lock import RefreshInProgress, refresh_lock
from pipelines.reader import WarehouseMissing, open_published
from pipelines.settings import load_settings

EXIT_BUSY = 75


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "refresh",
        help="fetch, validate, build and publish the scorecard",
        description="Materialise every asset (or the selected sources and everything downstream) "
        "in-process on the Dagster instance in DAGSTER_HOME, then print the scorecard's top rows.",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="fetch from the providers' live APIs instead of the shipped snapshots",
    )
    parser.add_argument(
        "--select",
        nargs="+",
        metavar="SOURCE",
        help="refresh only these sources (and what depends on them)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only failures (for cron)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=False, quiet=args.quiet)
    errors = Console(stderr=True)
    if args.live and args.select:
        os.environ["CITYDIP_LIVE_SOURCES"] = ",".join(args.select)
    elif args.live:
        os.environ["CITYDIP_SOURCE_MODE"] = "live"
    settings = load_settings()
    try:
        with refresh_lock(settings.build_dir):
            failures = execute(args.select, console)
    except RefreshInProgress as exc:
        errors.print(f"[red]citydip refresh refused:[/] {escape(str(exc))}", soft_wrap=True)
        return EXIT_BUSY
    except ValueError as exc:
        errors.print(f"[red]citydip refresh:[/] {escape(str(exc))}", soft_wrap=True)
        return 2
    if not args.quiet:
        print_top(console, settings.published_db)
    for failure in failures:
        errors.print(f"[red]FAILED[/] {escape(failure)}", soft_wrap=True)
    return 1 if failures else 0


def execute(select: list[str] | None, console: Console) -> list[str]:
    """Run the refresh job; return one line per failed step or check."""
    import dagster as dg

    from pipelines.definitions import REFRESH_JOB, defs
    from pipelines.recovery import fail_orphaned_runs, run_tags
    from pipelines.source_assets import payload_key
    from sources import SOURCES

    instance = get_instance()
    for run_id in fail_orphaned_runs(instance):
        console.print(f"[yellow]marked run {run_id} failed: its refresh process died[/]")
    job = defs.resolve_job_def(REFRESH_JOB)
    asset_selection = None
    if select:
        unknown = sorted(set(select) - set(SOURCES))
        if unknown:
            raise ValueError(f"unknown source(s) {unknown}; known: {sorted(SOURCES)}")
        chosen = dg.AssetSelection.assets(*(payload_key(SOURCES[s]) for s in select))
        asset_selection = list(chosen.downstream().resolve(defs.resolve_asset_graph()))
    with console.status("refreshing: fetch, validate, load, dbt build, publish ..."):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            asset_selection=asset_selection,
            tags=run_tags(),
        )
    failures = [
        f"check {e.asset_key.to_user_string()}:{e.check_name}: {e.description or 'failed'}"
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity != dg.AssetCheckSeverity.WARN
    ]
    for warning in result.get_asset_check_evaluations():
        if not warning.passed and warning.severity == dg.AssetCheckSeverity.WARN:
            name = f"{warning.asset_key.to_user_string()}:{warning.check_name}"
            console.print(
                f"[yellow]WARNING[/] check {escape(name)}: {escape(warning.description or '')}",
                soft_wrap=True,
            )
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            message = error.message.strip().splitlines()[0] if error else "failed"
            if error and error.cause:
                message = error.cause.message.strip().splitlines()[0]
            failures.append(f"step {event.step_key}: {message}")
    return failures


def print_top(console: Console, published) -> None:
    try:
        con = open_published(published)
    except WarehouseMissing as exc:
        console.print(f"[yellow]{exc}[/]")
        return
    with con:
        year, rows = latest_scorecard(con)
    table = Table(title=f"citydip scorecard {year} — {published}")
    for column in ("rank", "city", "overall", "economy", "education", "tourism", "culture"):
        table.add_column(column, justify="left" if column == "city" else "right")
    for row in rows:
        table.add_row(str(row[0]), row[1], *(("—" if v is None else f"{v:.1f}") for v in row[2:]))
    console.print(table)


def latest_scorecard(con) -> tuple[int, list[tuple]]:
    year = con.execute("select max(year) from scorecard_city").fetchone()[0]
    rows = con.execute(
        """
        select overall_rank, city_name, overall_score, economy_business_score,
               education_research_score, tourism_connectivity_score, culture_diplomacy_score
        from scorecard_city where year = ? order by overall_rank, city_name
        """,
        [year],
    ).fetchall()
    return year, rows
