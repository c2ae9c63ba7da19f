"""`citydip`: the command line. Each subcommand lives in its own module beside this one and
imports Dagster or dbt only inside the handler that runs them, so `--help` starts fast."""

from __future__ import annotations

import argparse
import os
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
    sql,
    status,
)
from pipelines.settings import SettingsError

COMMANDS = [refresh, sources, snapshot, status, query, sql, card, compare, explain, audit, export]
COMMANDS += [diff, rebuild]  # editions (issue 13)
EXIT_SETTINGS = 2  # a variable of the environment has a value citydip cannot use
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool whose reader went away


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
    except ValueError as exc:
        # sources.cities.SeedError (a bad row of the city seed: file, line and column), matched
        # by name: importing `sources` here would load every provider at start-up
        if type(exc).__name__ != "SeedError":
            raise
        print(f"citydip {args.command}: {exc}", file=sys.stderr)
        return EXIT_SETTINGS
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `citydip sources --format json | head -1`
        return closed_pipe()


def closed_pipe() -> int:
    """The reader of stdout went away: stop quietly. stdout points at /dev/null from here on, so
    that the interpreter's last flush at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_CLOSED_PIPE


if __name__ == "__main__":
    sys.exit(main())
