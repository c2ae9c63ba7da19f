"""`citydip refresh`: materialise every asset in-process on the persistent Dagster instance."""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import traceback
import uuid
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipelines.disk import naming_disk_full
from pipelines.messages import first_line, user_error
from pipelines.read.city_card import caveats, headline_year, pillar_names
from pipelines.read.reader import WarehouseMissing, open_published
from pipelines.refresh.lock import RefreshInProgress, refresh_lock
from pipelines.refresh.new_cities import city_ids
from pipelines.refresh.new_cities import report as cities_report
from pipelines.settings import Settings, SettingsError, load_settings
from pipelines.sql import sql_identifier

EXIT_BUSY = 75
# CITYDIP_DAGSTER_LOG_LEVEL values that follow every step on stderr instead of build/refresh.log
FOLLOW_LEVELS = ("DEBUG", "INFO")
# Run tag naming the phase of a refresh: "fetch" (payloads and checks) or "rebuild" (what changed).
PHASE_TAG = "citydip/refresh_phase"


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
    # a new seed row or an edited model re-parses the dbt project before Dagster reads its manifest
    from pipelines.refresh.manifest import ParseFailed, ensure_manifest

    try:
        reparsed = ensure_manifest()
    except ParseFailed as exc:
        Console(stderr=True).print(f"[red]citydip refresh:[/] {escape(str(exc))}", soft_wrap=True)
        return 2
    # Dagster and dbt load here, not at import: `citydip --help` and the reading commands stay fast
    from pipelines.read.cards.swap import tidy
    from pipelines.refresh.active_runs import refresh_window, refuse_if_busy
    from pipelines.refresh.instance import get_instance
    from pipelines.refresh.recovery import fail_orphaned_runs, run_tags

    console = Console(stderr=False, quiet=args.quiet)
    errors = Console(stderr=True)
    if reparsed:
        names = ", ".join(sorted({p.name for p in reparsed})[:5])
        console.print(f"dbt project re-parsed: {len(reparsed)} file(s) changed ({names})")
    settings = load_settings()
    if args.live:
        settings = settings.with_live(args.select)
    try:
        with refresh_lock(settings.build_dir):
            instance = get_instance(settings.dagster_home)
            for run_id in fail_orphaned_runs(instance):
                console.print(f"[yellow]marked run {run_id} failed: its refresh process died[/]")
            refuse_if_busy(instance)
            before = city_ids(settings.published_db)
            with (
                refresh_window(instance, run_tags()),  # no daemon run between the phases
                # a full build folder stops the refresh log (and dbt) in the middle of a phase
                naming_disk_full(
                    "refreshing (the working database, the refresh log)", settings.build_dir
                ),
            ):
                tidy(settings.cards_dir)  # what a killed publish of the cards left
                failures = execute(settings, instance, args.select, console)
    except RefreshInProgress as exc:
        errors.print(f"[red]citydip refresh refused:[/] {escape(str(exc))}", soft_wrap=True)
        return EXIT_BUSY
    except SettingsError:
        raise  # main prints it in one line naming the variable
    except ValueError as exc:
        errors.print(f"[red]citydip refresh:[/] {escape(str(exc))}", soft_wrap=True)
        return 2
    except Exception as exc:  # a bug or an unforeseen failure: its traceback goes to the log
        log = log_traceback(settings.build_dir)
        errors.print(
            f"[red]citydip refresh failed:[/] {escape(type(exc).__name__)}: "
            f"{escape(first_line(str(exc)))} (traceback in {log})",
            soft_wrap=True,
        )
        return 1
    if failures:  # never the scorecard after a failure: it would read as a success
        for failure in failures:
            errors.print(f"[red]FAILED[/] {escape(failure)}", soft_wrap=True)
        errors.print(f"details and tracebacks: {log_file(settings.build_dir)}", soft_wrap=True)
        return 1
    # a city new to the seed, or unscored: which sources have no data for it, and why
    for line in cities_report(settings.published_db, before, settings.is_live):
        console.print(escape(line), soft_wrap=True)
    if not args.quiet:
        print_top(console, settings.published_db)
    return 0


def log_file(build_dir: Path) -> Path:
    """build/refresh.log: dbt's output, Dagster's log and every traceback of the last refresh."""
    return build_dir / "refresh.log"


def log_traceback(build_dir: Path) -> Path:
    """Append the exception being handled to the refresh log; return the log's path."""
    path = log_file(build_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as log:
            traceback.print_exc(file=log)
    except OSError:
        pass  # the one-line message still names the failure
    return path


def execute(settings: Settings, instance, select: list[str] | None, console: Console) -> list[str]:
    """Fetch every (selected) source, then rebuild only what changed; return one line per failed
    step or check. See pipelines/refresh/plan.py for what counts as changed."""
    import dagster as dg

    from pipelines.definitions import REFRESH_JOB, build_definitions
    from pipelines.defs.source_assets import observations_key, payload_key
    from pipelines.refresh.plan import plan_rebuild
    from sources import SOURCES

    defs = build_definitions(settings)
    job = defs.resolve_job_def(REFRESH_JOB)
    graph = defs.resolve_asset_graph()
    if select:
        unknown = sorted(set(select) - set(SOURCES))
        if unknown:
            raise ValueError(f"unknown source(s) {unknown}; known: {sorted(SOURCES)}")
    if select and not settings.build_db.exists():
        console.print("a new warehouse: every source is refreshed (the scorecard needs them all)")
        select = None
    chosen = [SOURCES[s] for s in (select or SOURCES)]
    if select and (never := never_loaded(instance, set(SOURCES) - set(select))):
        console.print(
            f"also refreshing {', '.join(never)}: never loaded into this warehouse, and the "
            "scorecard is built from every source's table"
        )
        chosen += [SOURCES[s] for s in never]
    payloads = [payload_key(source) for source in chosen]
    in_job = set(job.asset_layer.executable_asset_keys)
    if select:
        in_job &= set(dg.AssetSelection.assets(*payloads).downstream().resolve(graph))
    candidates = in_job - {payload_key(source) for source in SOURCES.values()}

    # dbt's output, Dagster's log and tracebacks go to build/refresh.log; the terminal shows the
    # progress bar, one line per failure and notes.
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    log_file(settings.build_dir).write_text("")
    fetched = run_phase(job, instance, payloads, "fetch", console, settings)
    failures = run_failures(fetched, console)
    for source_id in skipped_offline(fetched):
        console.print(
            f"note: {source_id} ships no snapshot and is not live: its last live rows stay "
            f"(`citydip refresh --live --select {source_id}` fetches it)",
            soft_wrap=True,
        )
    landed = {e.asset_key for e in fetched.get_asset_materialization_events()}
    rejected = {e.asset_key for e in fetched.get_asset_check_evaluations() if not e.passed}
    blocked = [
        observations_key(source)
        for source in chosen
        if payload_key(source) not in landed or payload_key(source) in rejected
    ]
    absent = set()
    if not settings.build_db.exists():
        absent = candidates
    elif not settings.published_db.exists():
        absent = {key for key in candidates if key.to_user_string() == "published_warehouse"}
    plan = plan_rebuild(instance, defs, candidates, blocked=blocked, missing=absent)
    if not plan.rebuild:
        if not failures:
            console.print("no source changed since the last refresh: nothing to rebuild")
        return failures
    for line in plan.describe():
        console.print(f"rebuild: {line}")
    rebuilt = run_phase(job, instance, sorted(plan.rebuild), "rebuild", console, settings)
    return failures + run_failures(rebuilt, console)


def never_loaded(instance, source_ids: set[str]) -> list[str]:
    """The sources whose observations were never loaded into the working database."""
    from pipelines.defs.source_assets import observations_key
    from sources import SOURCES

    return sorted(
        s
        for s in source_ids
        if instance.get_latest_materialization_event(observations_key(SOURCES[s])) is None
    )


def run_phase(job, instance, selection: list, phase: str, console: Console, settings: Settings):
    """Execute one phase in-process with a progress bar; dbt's output and Dagster's log (errors
    with their tracebacks) go to build/refresh.log.

    The run is tagged with this host and pid so that, should the process die mid-run, the next
    refresh (holding the flock) marks the orphaned run failed and frees its pool slot.
    """
    from pipelines.refresh.progress import RefreshProgress, dagster_log_config
    from pipelines.refresh.recovery import run_tags

    run_id = str(uuid.uuid4())  # a Dagster run id, known before the run starts
    with (
        RefreshProgress(Console(file=sys.stdout, quiet=console.quiet), len(selection)) as progress,
        log_file(settings.build_dir).open("a") as log,
        contextlib.redirect_stdout(log),
        # Dagster's console log (step errors with their tracebacks) to the log too, unless
        # CITYDIP_DAGSTER_LOG_LEVEL asks to follow the steps on stderr (DEBUG, INFO)
        contextlib.nullcontext()
        if settings.dagster_log_level in FOLLOW_LEVELS
        else contextlib.redirect_stderr(log),
    ):
        instance.add_event_listener(run_id, progress)
        return job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            asset_selection=list(selection),
            run_id=run_id,
            run_config=dagster_log_config(settings.dagster_log_level),
            tags={PHASE_TAG: phase, **run_tags()},
        )


def run_failures(result, console: Console) -> list[str]:
    """One line per failed blocking check or step of an in-process run, `<source> <url> <reason>`
    for a source's fetch or load, `<asset or step> <reason>` for the rest; warnings are printed."""
    import dagster as dg

    failures = []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        asset = evaluation.asset_key.to_user_string()
        if evaluation.severity == dg.AssetCheckSeverity.WARN:
            console.print(
                f"[yellow]WARNING[/] check {escape(asset)}:{escape(evaluation.check_name)}: "
                f"{escape(evaluation.description or '')}",
                soft_wrap=True,
            )
            continue
        url = evaluation.metadata.get("url")
        failures.append(
            failure_line(
                asset,
                evaluation.description or "failed",
                url.value if url is not None else None,
                what=f"check {evaluation.check_name}: ",
            )
        )
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
                continue  # Dagster's summary of the failed blocking checks, each printed above
            error = user_error(error) if error is not None else None
            message = error.message if error is not None else "failed"
            failures.append(failure_line(event.step_key, message))
    return failures


# A SourceError's message (sources/errors.py): "[source] problem (field 'x') — url".
SOURCE_ERROR = re.compile(r"\[(?P<source>[\w.-]+)\] (?P<problem>.*) — (?P<url>\S+)$")
# Step keys of a source's assets: payloads__<source>, raw__<source>_observations.
SOURCE_STEP = re.compile(r"^(?:payloads__(?P<fetch>.+)|raw__(?P<load>.+)_observations)$")


def failure_line(where: str, message: str, url: str | None = None, what: str = "") -> str:
    """`<source> <url> <what><reason>` when the failure names a source, else `<where> <what>
    <reason>`: one line, whatever the message (its first line; a SourceError's parts)."""
    reason = re.sub(r"^[\w.]+(?:Error|Exception|Failure): ", "", first_line(message))
    step = SOURCE_STEP.match(where.replace("/", "__"))
    source = (step["fetch"] or step["load"]) if step else None
    if parsed := SOURCE_ERROR.search(reason):
        source, reason, url = parsed["source"], parsed["problem"], url or parsed["url"]
    if source is None:
        return f"{where} {what}{reason}"
    return f"{source} {url or '-'} {what}{reason}"


def skipped_offline(result) -> list[str]:
    """The sources whose fetch loaded nothing: live-only, in a refresh that is not live."""
    return sorted(
        event.asset_key.path[-1]
        for event in result.get_asset_materialization_events()
        if "skipped" in event.materialization.metadata
    )


def print_top(console: Console, published) -> None:
    """The headline ranking with its caveats: edition year, pillars scored, proxies, intervals."""
    try:
        con = open_published(published)
    except WarehouseMissing as exc:
        console.print(f"[yellow]{exc}[/]")
        return
    with con:
        year, names, rows = latest_scorecard(con)
        notes = caveats(con, year) if year is not None else None
    table = Table(title=f"citydip scorecard {year} (the edition's headline year) — {published}")
    for column in ("rank", "city", "overall", "rank interval (90%)", *names):
        # a city name never wraps; long pillar names wrap in the header on a narrow terminal
        table.add_column(
            column, justify="left" if column == "city" else "right", no_wrap=column == "city"
        )
    for rank, city, overall, low, high, *scores in rows:
        table.add_row(
            "—" if rank is None else str(rank),
            city,
            "—" if overall is None else f"{overall:.1f}",
            "—" if low is None else f"{low}–{high}",
            *(("—" if v is None else f"{v:.1f}") for v in scores),
        )
    console.print(table)
    if notes is not None:
        console.print(escape(notes.line), soft_wrap=True)
    console.print(
        "Pillar scores are 0-100 among these cities; national figures stand in for a city only "
        "where it hosts them for its whole country (flagged proxy). docs/methodology.md",
        soft_wrap=True,
    )


def latest_scorecard(con) -> tuple[int | None, list[str], list[tuple]]:
    """The headline year, the pillar names and its rows: rank, city, overall, interval, pillars."""
    year = headline_year(con)
    names = pillar_names(con)
    columns = ", ".join(sql_identifier(key + "_score") for key in names)
    rows = con.execute(
        f"""
        select overall_rank, city_name, overall_score, rank_p05, rank_p95, {columns}
        from scorecard_city where year = ? order by overall_rank nulls last, city_name
        """,
        [year],
    ).fetchall()
    return year, list(names.values()), rows
