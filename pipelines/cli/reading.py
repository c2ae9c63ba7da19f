"""What the reading commands share: open the published warehouse, turn known failures into
one clear line on stderr and an exit code."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import duckdb
from rich.console import Console

from pipelines.read.city_card import UnknownCity, UnknownPillar
from pipelines.read.reader import WarehouseMissing, open_published
from pipelines.settings import load_settings

EXIT_USAGE = 2
EXIT_NO_WAREHOUSE = 3

Handler = Callable[[argparse.Namespace, duckdb.DuckDBPyConnection, Console], int]


def add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="print only the result or errors")


def reading(handler: Handler) -> Callable[[argparse.Namespace], int]:
    """Run `handler(args, con, console)` on a read-only connection to the published file."""

    def run(args: argparse.Namespace) -> int:
        console = Console(highlight=False)
        errors = Console(stderr=True, highlight=False, soft_wrap=True)
        try:
            with open_published(load_settings().published_db) as con:
                return handler(args, con, console)
        except WarehouseMissing as exc:
            errors.print(f"[red]citydip {args.command}:[/] {exc}")
            return EXIT_NO_WAREHOUSE
        except (UnknownCity, UnknownPillar) as exc:
            errors.print(f"[red]citydip {args.command}:[/] {exc.args[0]}")
            return EXIT_USAGE

    return run
