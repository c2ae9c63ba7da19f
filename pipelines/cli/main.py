"""`citydip`: the command line. Each subcommand lives in its own module beside this one and
imports Dagster or dbt only inside the handler that runs them, so `--help` starts fast."""

from __future__ import annotations

import argparse
import sys

from pipelines.cli import (
    audit,
    card,
    compare,
    diff,
    explain,
    export,
    query,
    rebuild,
    refresh,
    snapshot,
    sources,
    status,
)
from pipelines.settings import SettingsError

COMMANDS = [refresh, sources, snapshot, status, query, card, compare, explain, audit, export]
COMMANDS += [diff, rebuild]  # editions (issue 13)
EXIT_SETTINGS = 2  # a variable of the environment has a value citydip cannot use


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citydip",
        description="citydip: the city-diplomacy scorecard warehouse (Dagster + dbt + DuckDB).",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except SettingsError as exc:  # one line naming the variable, not a traceback
        print(f"citydip {args.command}: {exc}", file=sys.stderr)
        return EXIT_SETTINGS
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
