"""`citydip export --format parquet|csv DIR`: the published tables as files for other tools.

The query connection has external access disabled, so it cannot write files. Export uses its
own in-memory connection that ATTACHes the published file READ_ONLY and COPYs each table out:
it can write files, but never the warehouse.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from pipelines.cli.reading import EXIT_NO_WAREHOUSE, EXIT_USAGE
from pipelines.read.reader import WarehouseMissing
from pipelines.settings import load_settings
from pipelines.sql import sql_identifier, sql_literal

FORMATS = {"parquet": "(format parquet, compression zstd)", "csv": "(format csv, header true)"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the published tables to Parquet or CSV files",
        description="Write every table of the published warehouse (marts and _citydip_meta) "
        "to DIR/<table>.<format>.",
    )
    parser.add_argument("directory", metavar="DIR", type=Path)
    parser.add_argument("--format", choices=sorted(FORMATS), default="parquet")
    parser.add_argument(
        "--force", action="store_true", help="overwrite files that already exist in DIR"
    )
    parser.add_argument("--quiet", action="store_true", help="print only errors")
    parser.set_defaults(handler=run)


class ExportRefused(Exception):
    """The target cannot be written as asked: DIR is a file, or files exist without --force."""


def export(
    published: Path,
    directory: Path,
    fmt: str,
    progress: Progress | None = None,
    force: bool = False,
) -> list[Path]:
    if not published.exists():
        raise WarehouseMissing(
            f"no published warehouse at {published}: run `citydip refresh` (or `make run`) first"
        )
    if directory.exists() and not directory.is_dir():
        raise ExportRefused(f"{directory} is a file, not a directory")
    written = []
    with duckdb.connect(config={"autoinstall_known_extensions": False}) as con:
        con.execute(f"attach {sql_literal(str(published))} as citydip (read_only)")
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where database_name = 'citydip' "
                "and schema_name = 'main' order by table_name"
            ).fetchall()
        ]
        existing = [t for t in tables if (directory / f"{t}.{fmt}").exists()]
        if existing and not force:
            raise ExportRefused(
                f"{len(existing)} file(s) already exist in {directory} (e.g. "
                f"{existing[0]}.{fmt}): pass --force to overwrite them"
            )
        directory.mkdir(parents=True, exist_ok=True)
        task = progress.add_task("export", total=len(tables)) if progress else None
        for table in tables:
            target = directory / f"{table}.{fmt}"
            con.execute(
                f"copy citydip.main.{sql_identifier(table)} to {sql_literal(str(target))} "
                f"{FORMATS[fmt]}"
            )
            written.append(target)
            if progress is not None:
                progress.update(task, advance=1, description=f"exported {table}")
    return written


def run(args: argparse.Namespace) -> int:
    console = Console(quiet=args.quiet)
    published = load_settings().published_db
    try:
        with Progress(console=console, transient=True) as progress:
            written = export(published, args.directory, args.format, progress, args.force)
    except WarehouseMissing as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]citydip export:[/] {exc}")
        return EXIT_NO_WAREHOUSE
    except (ExportRefused, OSError) as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]citydip export:[/] {escape(str(exc))}")
        return EXIT_USAGE
    console.print(f"wrote {len(written)} {args.format} files to {args.directory}")
    console.print(headline_note(published), soft_wrap=True)
    return 0


def headline_note(published: Path) -> str:
    """Which year the files lead with: they hold every year, the edition shows its headline."""
    from pipelines.read.city_card import headline_year
    from pipelines.read.reader import open_published

    with open_published(published) as con:
        year = headline_year(con)
    if year is None:
        return "the files hold every scorecard year"
    return (
        f"the files hold every scorecard year; the edition's headline year is {year} "
        "(scorecard_edition.headline_year; its rows: scorecard_city.is_headline_year)"
    )
