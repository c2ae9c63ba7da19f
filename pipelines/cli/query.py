"""`citydip query "SQL"`: read-only SQL on the published warehouse as a table, CSV or JSON.

Two guards: the connection (pipelines/read/reader.py) opens the file read-only with DuckDB's
external access disabled and the configuration locked, so DuckDB itself refuses writes, ATTACH,
COPY ... TO, INSTALL and file reads; and before it runs anything, only reading statement types
pass (pipelines/read/query_guard.py), since such a connection may still write into the
database's own temporary folder (COPY ... TO 'citydip.duckdb.tmp/x') or create a temporary
object. A refusal is one line on stderr naming the statement type, exit code 4.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal

import duckdb
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipelines.cli.reading import EXIT_USAGE, add_quiet, reading
from pipelines.read.query_guard import refused_statement

EXIT_REFUSED = 4
REFUSAL = (
    "refused: the published warehouse is read-only. `citydip query` runs SELECT-style SQL; "
    "writes (CREATE, INSERT, UPDATE, DELETE, DROP, ALTER), ATTACH, COPY ... TO, EXPORT and "
    "INSTALL/LOAD, SET and transactions are not allowed. Use `citydip export` to write files."
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run read-only SQL on the published warehouse",
        description="Run SQL on the published warehouse (read-only, no file or network access). "
        "Tables: dim_city, dim_indicator, fct_observation, scorecard_*, _citydip_meta; views "
        "latest_scorecard and indicator_timeseries. See docs/querying.md.",
    )
    parser.add_argument("sql", help="the SQL; several statements separated by ; print the last")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    add_quiet(parser)
    parser.set_defaults(handler=reading(run))


def is_refusal(exc: duckdb.Error) -> bool:
    """DuckDB's own refusals on the read-only, no-external-access connection."""
    message = str(exc)
    return isinstance(exc, duckdb.PermissionException) or any(
        marker in message
        for marker in (
            "read-only mode",
            "configuration has been locked",
            "Cannot enable external access",
            "in-memory database in read-only",
        )
    )


def first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def run(args: argparse.Namespace, con: duckdb.DuckDBPyConnection, console: Console) -> int:
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        statements = duckdb.extract_statements(args.sql)
    except duckdb.Error as exc:
        errors.print(f"[red]citydip query: SQL error:[/] {exc}", markup=True)
        return EXIT_USAGE
    if not statements:
        errors.print("[red]citydip query:[/] no SQL statement given")
        return EXIT_USAGE
    refused = refused_statement(args.sql)
    if refused:
        errors.print(f"[red]citydip query {REFUSAL}[/] (statement: {refused})")
        return EXIT_REFUSED
    try:
        for statement in statements:
            result = con.execute(statement)
        columns = [d[0] for d in result.description or []]
        rows = result.fetchall() if columns else []
    except duckdb.Error as exc:
        if is_refusal(exc):
            errors.print(f"[red]citydip query {REFUSAL}[/] (DuckDB: {first_line(exc)})")
            return EXIT_REFUSED
        errors.print(f"[red]citydip query: SQL error:[/] {exc}")
        return 1
    write(args.format, columns, rows, console, quiet=args.quiet)
    return 0


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def write(
    fmt: str, columns: list[str], rows: list[tuple], console: Console, quiet: bool = False
) -> None:
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_plain(v) for v in row] for row in rows])
    elif fmt == "json":
        records = [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        sys.stdout.write(json.dumps(records, indent=2, default=str) + "\n")
    else:
        table = Table(show_lines=False)
        for column in columns:
            table.add_column(Text(column), overflow="fold")
        for row in rows:
            table.add_row(*(Text("NULL" if v is None else str(v)) for v in row))
        console.print(table)
        if not quiet:
            console.print(f"[dim]{len(rows)} row(s)[/]")
    sys.stdout.flush()
