"""`citydip sql`: an interactive, read-only SQL shell on the published warehouse.

DuckDB's Python client runs the SQL on the same read-only connection as `citydip query`, through
the same guard (`run_sql`); prompt_toolkit reads it, with a history file and completion of
table, view and column names and SQL keywords; results print as `citydip query`'s tables.
Statements end with `;`; `.tables` lists the relations, `.quit` (or Ctrl-D) leaves. With stdin
not a terminal (`citydip sql < questions.sql`) it reads the statements from it, without prompts.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
from rich.console import Console
from rich.markup import escape

from pipelines.cli.query import SqlFailed, SqlRefused, run_sql, write
from pipelines.cli.reading import add_quiet, reading

PROMPT, MORE = "citydip> ", "    ...> "
HELP = (
    "SQL ends with ;  ·  .tables lists the tables and views  ·  .quit or Ctrl-D leaves  ·  "
    "Tab completes names  ·  read-only: `citydip export` writes files"
)


def default_history() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "citydip" / "sql_history"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sql",
        help="an interactive read-only SQL shell on the published warehouse",
        description="An interactive SQL shell on the published warehouse: read-only like "
        "`citydip query`, with history, completion of table and column names and readable "
        "tables. End statements with ;  .tables lists the relations, .quit leaves.",
    )
    parser.add_argument(
        "--history",
        type=Path,
        default=None,
        metavar="FILE",
        help="the history file (default: $XDG_STATE_HOME/citydip/sql_history)",
    )
    add_quiet(parser)
    parser.set_defaults(handler=reading(run))


def relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' union "
            "select view_name from duckdb_views() where schema_name = 'main' and not internal "
            "order by 1"
        ).fetchall()
    ]


def vocabulary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What Tab completes: relations, their columns and DuckDB's SQL keywords."""
    columns = con.execute(
        "select distinct column_name from duckdb_columns() where schema_name = 'main'"
    ).fetchall()
    keywords = con.execute("select keyword_name from duckdb_keywords()").fetchall()
    return sorted({*relations(con), *(c for (c,) in columns), *(k.lower() for (k,) in keywords)})


def completer(con: duckdb.DuckDBPyConnection):
    """prompt_toolkit's completer of the vocabulary, in any case."""
    from prompt_toolkit.completion import WordCompleter

    return WordCompleter(vocabulary(con), ignore_case=True)


def statements(lines: Iterable[str]) -> Iterator[str]:
    """Complete statements (up to a line ending in ;) and dot commands, from lines of input."""
    buffer: list[str] = []
    for line in lines:
        if not buffer and line.strip().startswith("."):
            yield line.strip()
            continue
        if line.strip() or buffer:
            buffer.append(line)
        if buffer and line.rstrip().endswith(";"):
            yield "\n".join(buffer)
            buffer = []
    if any(line.strip() for line in buffer):
        yield "\n".join(buffer)


def execute(entry: str, con: duckdb.DuckDBPyConnection, console: Console, errors: Console) -> str:
    """Run one statement or dot command and print its result: "quit", "ok" or "failed"."""
    if entry in (".quit", ".exit", ".q"):
        return "quit"
    if entry == ".tables":
        console.print("  ".join(relations(con)), soft_wrap=True)
    elif entry.startswith("."):
        console.print(HELP, soft_wrap=True)
    else:
        try:
            result = run_sql(con, entry)
        except (SqlRefused, SqlFailed) as exc:
            errors.print(f"[red]{escape(str(exc))}[/]", soft_wrap=True)
            return "failed"
        write("table", result.columns, result.rows, console)
    return "ok"


def prompted_lines(con: duckdb.DuckDBPyConnection, history: Path, **session) -> Iterator[str]:
    """Lines typed at prompt_toolkit's prompt, with history and completion; ends on Ctrl-D.
    Ctrl-C drops the statement being typed. `session` goes to PromptSession (tests: input)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    history.parent.mkdir(parents=True, exist_ok=True)
    prompt = PromptSession(
        history=FileHistory(str(history)),
        completer=completer(con),
        complete_while_typing=False,
        **session,
    )
    pending = False
    while True:
        try:
            line = prompt.prompt(MORE if pending else PROMPT)
        except KeyboardInterrupt:
            pending = False
            yield ";"  # ends (and so drops) the statement being typed
            continue
        except EOFError:
            return
        pending = not line.rstrip().endswith(";") and (pending or bool(line.strip()))
        pending = pending and not line.strip().startswith(".")
        yield line


def shell(
    con: duckdb.DuckDBPyConnection, console: Console, lines: Iterable[str], quiet: bool = False
) -> int:
    """Run what `lines` hold; 1 if a statement failed (what a script piped in wants to know)."""
    errors = Console(stderr=True, highlight=False)
    if not quiet:
        console.print(f"[dim]{HELP}[/]", soft_wrap=True)
    failed = False
    for entry in statements(lines):
        if entry.strip() == ";":
            continue
        outcome = execute(entry, con, console, errors)
        if outcome == "quit":
            break
        failed = failed or outcome == "failed"
    return 1 if failed else 0


def run(args: argparse.Namespace, con: duckdb.DuckDBPyConnection, console: Console) -> int:
    if not sys.stdin.isatty():  # statements piped in: no prompt, no history
        return shell(con, console, (line.rstrip("\n") for line in sys.stdin), quiet=True)
    history = args.history or default_history()
    shell(con, console, prompted_lines(con, history), quiet=args.quiet)
    return 0  # a failed statement at the prompt was answered there
