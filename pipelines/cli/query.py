"""`citydip query "SQL"`: read-only SQL on the published warehouse as a readable table (numbers
to sensible precision, as many columns as the terminal holds), or CSV, JSON or Parquet at full
precision.

Two guards: the connection (pipelines/read/reader.py) opens the file read-only with DuckDB's
external access disabled and the configuration locked, so DuckDB itself refuses writes, ATTACH,
COPY ... TO, INSTALL and file reads; and before it runs anything, only reading statement types
pass (pipelines/read/query_guard.py), since such a connection may still write into the
database's own temporary folder (COPY ... TO 'citydip.duckdb.tmp/x') or create a temporary
object. `run_sql` applies both, shared with the interactive shell (`citydip sql`). A refusal is
one line on stderr naming the statement type, exit code 4.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from pipelines.cli.reading import EXIT_USAGE, add_quiet, reading
from pipelines.messages import first_line
from pipelines.read.query_guard import refused_statement

EXIT_REFUSED = 4
REFUSAL = (
    "refused: the published warehouse is read-only. `citydip query` runs SELECT-style SQL; "
    "writes (CREATE, INSERT, UPDATE, DELETE, DROP, ALTER), ATTACH, COPY ... TO, EXPORT and "
    "INSTALL/LOAD, SET and transactions are not allowed. Use `citydip export` to write files."
)


FORMATS = ("table", "csv", "json", "parquet")
MAX_COLUMN_WIDTH = 24  # a wider value is cut with "…" in the table (csv/json/parquet keep it)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run read-only SQL on the published warehouse",
        description="Run SQL on the published warehouse (read-only, no file or network access). "
        "Tables: dim_city, dim_indicator, fct_observation, scorecard_*, _citydip_meta; views "
        "latest_scorecard and indicator_timeseries. See docs/querying.md. The table rounds "
        "numbers and shows the columns the terminal holds; csv, json and parquet keep every "
        "column at full precision.",
    )
    parser.add_argument("sql", help="the SQL; several statements separated by ; print the last")
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument(
        "--output",
        metavar="FILE",
        type=Path,
        help="write the result to FILE instead of stdout (needed for parquet)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing --output FILE")
    add_quiet(parser)
    parser.set_defaults(handler=reading(run))


class SqlRefused(Exception):
    """A statement the read-only warehouse does not allow (exit code 4)."""


class SqlFailed(Exception):
    """SQL DuckDB could not parse or run; `exit_code` 2 for no or unparsable SQL, else 1."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class SqlResult:
    columns: list[str]
    types: list[str]  # DuckDB's type of each column, e.g. DECIMAL(18,3)
    rows: list[tuple]


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


def run_sql(con: duckdb.DuckDBPyConnection, sql: str) -> SqlResult:
    """Run `sql` on a connection from open_published and return its last statement's result.

    The one guard of `citydip query` and `citydip sql`: raises SqlRefused for what the read-only
    warehouse does not allow, SqlFailed for anything else DuckDB rejects."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise SqlFailed(f"SQL error: {exc}", EXIT_USAGE) from None
    if not statements:
        raise SqlFailed("no SQL statement given", EXIT_USAGE)
    refused = refused_statement(sql)
    if refused:
        raise SqlRefused(f"{REFUSAL} (statement: {refused})")
    try:
        for statement in statements:
            result = con.execute(statement)
        description = result.description or []
        rows = result.fetchall() if description else []
    except duckdb.Error as exc:
        if is_refusal(exc):
            raise SqlRefused(
                f"{REFUSAL} (DuckDB: {first_line(str(exc)) or type(exc).__name__})"
            ) from None
        raise SqlFailed(f"SQL error: {exc}") from None
    return SqlResult([d[0] for d in description], [str(d[1]) for d in description], rows)


def run(args: argparse.Namespace, con: duckdb.DuckDBPyConnection, console: Console) -> int:
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    if args.format == "parquet" and args.output is None:
        errors.print("[red]citydip query:[/] --format parquet writes a file: add --output FILE")
        return EXIT_USAGE
    if args.output is not None and args.output.exists() and not args.force:
        errors.print(
            f"[red]citydip query:[/] {escape(str(args.output))} exists: pass --force to "
            "overwrite it"
        )
        return EXIT_USAGE
    try:
        result = run_sql(con, args.sql)
    except SqlRefused as exc:
        errors.print(f"[red]citydip query {escape(str(exc))}[/]")
        return EXIT_REFUSED
    except SqlFailed as exc:
        errors.print(f"[red]citydip query:[/] {escape(str(exc))}")
        return exc.exit_code
    if args.output is not None:
        save(args.format, result, args.output)
        if not args.quiet:
            console.print(f"wrote {len(result.rows)} row(s) to {escape(str(args.output))}")
        return 0
    write(args.format, result.columns, result.rows, console, quiet=args.quiet)
    return 0


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def save(fmt: str, result: SqlResult, path: Path) -> None:
    """The result in a file at full precision; parquet keeps DuckDB's column types."""
    if fmt == "parquet":
        write_parquet(result, path)
        return
    with path.open("w", newline="") as out:
        write_text(fmt if fmt != "table" else "csv", result.columns, result.rows, out)


def write_parquet(result: SqlResult, path: Path) -> None:
    """Through an in-memory DuckDB connection of its own (the warehouse's cannot write files),
    each column cast back to its type in the warehouse."""
    import pandas as pd  # only here: pandas is slow to import

    from pipelines.sql import sql_identifier, sql_literal

    frame = pd.DataFrame(result.rows, columns=range(len(result.columns)), dtype=object)
    columns = ", ".join(
        f"cast({sql_identifier(str(i))} as {kind}) as {sql_identifier(name)}"
        for i, (name, kind) in enumerate(zip(result.columns, result.types, strict=True))
    )
    with duckdb.connect(config={"autoinstall_known_extensions": False}) as out:
        out.register("result_rows", frame.rename(columns=str))
        out.execute(
            f"copy (select {columns} from result_rows) to {sql_literal(str(path))} "
            "(format parquet, compression zstd)"
        )


def write_text(fmt: str, columns: list[str], rows: list[tuple], out) -> None:
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_plain(v) for v in row] for row in rows])
    else:
        records = [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        out.write(json.dumps(records, indent=2, default=str) + "\n")


def format_value(value: object) -> str:
    """A cell of the table: numbers to sensible precision (full precision: csv, json, parquet)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        size = abs(value)
        if size == 0 or 1e-3 <= size < 1e15:
            decimals = 3 if size < 1e3 else 1 if size < 1e6 else 0
            text = f"{value:,.{decimals}f}"
            return text.rstrip("0").rstrip(".") if "." in text else text
        return f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 1e6 else str(value)
    return str(value)


def _is_number(values: list[object]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(
        isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in present
    )


def table(columns: list[str], rows: list[tuple], width: int) -> tuple[Table, int]:
    """A rich table of as many leading columns as fit `width`, each at most MAX_COLUMN_WIDTH
    wide (longer cells and headers end in "…"); returns it and the number of columns left out."""
    cells = [[format_value(v) for v in row] for row in rows]
    shown, used = 0, 1
    for i, column in enumerate(columns):
        natural = max([len(column), *(len(row[i]) for row in cells)], default=len(column))
        needed = min(max(natural, 4), MAX_COLUMN_WIDTH) + 3  # padding and the border
        if shown and used + needed > width:
            break
        shown, used = shown + 1, used + needed
    result = Table(show_lines=False)
    for i, column in enumerate(columns[:shown]):
        numeric = _is_number([row[i] for row in rows])
        result.add_column(
            Text(column, overflow="ellipsis", no_wrap=True),
            justify="right" if numeric else "left",
            overflow="ellipsis",
            no_wrap=True,
            max_width=MAX_COLUMN_WIDTH,
        )
    for row in cells:
        result.add_row(*(Text(cell) for cell in row[:shown]))
    return result, len(columns) - shown


def write(
    fmt: str, columns: list[str], rows: list[tuple], console: Console, quiet: bool = False
) -> None:
    if fmt in ("csv", "json"):
        write_text(fmt, columns, rows, sys.stdout)
    else:
        shown, hidden = table(columns, rows, console.width)
        console.print(shown)
        if hidden:
            console.print(
                f"[dim]{hidden} more column(s) than the terminal holds: "
                f"{escape(', '.join(columns[-hidden:]))} (--format csv|json for every column)[/]",
                soft_wrap=True,
            )
        if not quiet:
            console.print(f"[dim]{len(rows)} row(s)[/]")
    sys.stdout.flush()
