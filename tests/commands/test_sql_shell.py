"""`citydip sql`: the interactive shell, driven by piped stdin and by prompt_toolkit's pipe input;
it shares `citydip query`'s guard, so writes are refused the same way."""

from __future__ import annotations

import io
import sys

import duckdb
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from pipelines.cli import query, sql
from pipelines.cli.main import main
from pipelines.read.reader import open_published

SCRIPT = """select city_id, overall_rank
from latest_scorecard
order by overall_rank limit 2;
.tables
"""


def test_statements_piped_in_print_tables(reader_env, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(SCRIPT))
    assert main(["sql"]) == 0
    out = capsys.readouterr().out
    assert "overall_rank" in out and "2 row(s)" in out
    assert "latest_scorecard" in out and "fct_observation" in out  # .tables


def test_a_piped_write_is_refused_by_the_query_guard(reader_env, capsys, monkeypatch):
    assert sql.run_sql is query.run_sql  # one guard for both commands
    monkeypatch.setattr(sys, "stdin", io.StringIO("drop table dim_city;\nselect 1 as one;\n"))
    assert main(["sql"]) == 1  # a script learns that a statement failed
    captured = capsys.readouterr()
    assert "refused: the published warehouse is read-only" in captured.err
    assert "one" in captured.out  # the shell went on
    with duckdb.connect(str(reader_env / "citydip.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from dim_city").fetchone()[0] > 0


def test_the_prompt_keeps_history_and_reads_multi_line_statements(reader_env, tmp_path):
    history = tmp_path / "state" / "sql_history"
    out = io.StringIO()
    with (
        create_pipe_input() as typed,
        open_published(reader_env / "citydip.duckdb") as con,
    ):
        typed.send_text(
            "select count(*) as cities\n  from dim_city;\ninsert into dim_city values (1);\n"
            ".quit\nselect 'not run';\n"
        )
        lines = sql.prompted_lines(con, history, input=typed, output=DummyOutput())
        assert sql.shell(con, Console(file=out, width=100), lines) == 1
    printed = out.getvalue()
    assert "cities" in printed and "1 row(s)" in printed and "not run" not in printed
    kept = history.read_text()
    assert "+select count(*) as cities" in kept and "+  from dim_city;" in kept


def test_tab_completes_tables_columns_and_keywords(reader_env):
    with open_published(reader_env / "citydip.duckdb") as con:
        completer = sql.completer(con)

    def complete(text: str) -> set[str]:
        found = completer.get_completions(Document(text), CompleteEvent(completion_requested=True))
        return {c.text for c in found}

    assert "latest_scorecard" in complete("select * from latest_sc")
    assert "overall_score" in complete("select OVERALL_SC")
    assert "select" in complete("SEL")
