"""`citydip query`: read-only SQL in three formats; every write is refused by the connection."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.main import main
from pipelines.cli.query import EXIT_REFUSED, format_value
from pipelines.read.reader import open_published


def city_count(home: Path) -> int:
    with duckdb.connect(str(home / "citydip.duckdb"), read_only=True) as con:
        return con.execute("select count(*) from dim_city").fetchone()[0]


def test_json_rows_match_the_warehouse(reader_env, capsys):
    assert (
        main(
            [
                "query",
                "select city_id, city_name from dim_city order by city_id",
                "--format",
                "json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == city_count(reader_env)
    assert {"city_id": "hong-kong", "city_name": "Hong Kong"} in rows


def test_csv_has_a_header_and_one_line_per_row(reader_env, capsys):
    sql = "select overall_rank, city_name from latest_scorecard order by overall_rank, city_name"
    assert main(["query", sql, "--format", "csv"]) == 0
    lines = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert lines[0] == ["overall_rank", "city_name"]
    assert len(lines) - 1 == city_count(reader_env)


def test_table_shows_the_last_statement(reader_env, capsys):
    assert main(["query", "select 1 as first; select 'Hong Kong' as second"]) == 0
    out = capsys.readouterr().out
    assert "second" in out and "Hong Kong" in out and "first" not in out


REFUSED = [
    "create table evil(i int)",
    "CREATE TABLE evil (i int)",
    "select 1; CrEaTe TaBlE evil(i int)",
    "create temp table evil as select 1",
    "insert into dim_city select * from dim_city",
    "INSERT INTO dim_city SELECT * FROM dim_city",
    "select 1;insert into dim_city select * from dim_city",
    "update dim_city set city_name = 'x'",
    "delete from fct_observation",
    "drop table dim_city",
    "DROP TABLE dim_city",
    "select 42; dRoP tAbLe scorecard_city",
    "alter table dim_city add column x int",
    "attach '{tmp}/other.duckdb' as other",
    "ATTACH '{tmp}/other.duckdb' AS other",
    "select 1; Attach '{tmp}/other.duckdb'",
    "copy dim_city to '{tmp}/leak.csv'",
    "COPY (select * from dim_city) TO '{tmp}/leak.parquet' (FORMAT parquet)",
    "export database '{tmp}/dump'",
    "install httpfs",
    "load httpfs",
    "set enable_external_access = true",
]


@pytest.mark.parametrize("sql", REFUSED)
def test_writes_files_attach_and_installs_are_refused(sql, reader_env, tmp_path, capsys):
    before = city_count(reader_env)
    assert main(["query", sql.format(tmp=tmp_path)]) == EXIT_REFUSED
    assert "refused: the published warehouse is read-only" in capsys.readouterr().err
    assert city_count(reader_env) == before
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing attached


@pytest.mark.parametrize(
    "sql",
    [
        "create table evil(i int)",
        "insert into dim_city select * from dim_city",
        "drop table dim_city",
        "attach '{tmp}/other.duckdb' as other",
        "copy dim_city to '{tmp}/leak.csv'",
        "install httpfs",
        "select * from read_csv('/etc/hostname')",
    ],
)
def test_the_connection_itself_refuses_without_any_filter(sql, reader_env, tmp_path):
    """The guarantee is the connection: read-only, external access disabled."""
    with open_published(reader_env / "citydip.duckdb") as con, pytest.raises(duckdb.Error):
        con.execute(sql.format(tmp=tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_sql_errors_are_reported_not_refused(reader_env, capsys):
    assert main(["query", "select * from no_such_table"]) == 1
    err = capsys.readouterr().err
    assert "SQL error" in err and "refused" not in err


def test_console_script_refuses_with_a_clear_message(published_home, citydip_process):
    done = citydip_process(
        "query", "SELECT 1; DROP TABLE dim_city", env={"CITYDIP_HOME": str(published_home)}
    )
    assert done.returncode == EXIT_REFUSED
    assert "read-only" in done.stderr and "citydip export" in done.stderr


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (77.75312345678, "77.753"),
        (0.5, "0.5"),
        (12345.678, "12,345.7"),
        (123456789.123, "123,456,789"),
        (1e-7, "1e-07"),
        (0.0, "0"),
        (42, "42"),
        (2_000_000, "2,000,000"),
        (None, "NULL"),
        (True, "true"),
        ("Hong Kong", "Hong Kong"),
    ],
)
def test_table_cells_show_numbers_to_sensible_precision(value, text):
    assert format_value(value) == text


def test_a_wide_result_fits_the_terminal(reader_env, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["query", "select * from latest_scorecard order by overall_rank"]) == 0
    out = capsys.readouterr().out
    table_lines = [line for line in out.splitlines() if line[:1] in "┏┃┡│└"]
    assert table_lines and all(len(line) <= 80 for line in table_lines)
    assert "more column(s) than the terminal holds" in out
    assert "77.75312" not in out  # no full-precision floats in the table


def test_csv_json_and_parquet_keep_full_precision(reader_env, tmp_path, capsys):
    sql = "select city_id, overall_score, year from latest_scorecard order by city_id"
    with duckdb.connect(str(reader_env / "citydip.duckdb"), read_only=True) as con:
        expected = con.execute(sql).fetchall()
    assert main(["query", sql, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["city_id"], r["overall_score"], r["year"]) for r in rows] == expected
    assert main(["query", sql, "--format", "parquet"]) == 2  # a file is needed
    assert "--output" in capsys.readouterr().err
    target = tmp_path / "scores.parquet"
    assert main(["query", sql, "--format", "parquet", "--output", str(target)]) == 0
    with duckdb.connect() as con:
        assert con.execute("select * from read_parquet(?)", [str(target)]).fetchall() == expected
        types = con.execute("describe select * from read_parquet(?)", [str(target)]).fetchall()
    assert [t[1] for t in types] == ["VARCHAR", "DOUBLE", "INTEGER"]
    assert main(["query", sql, "--format", "parquet", "--output", str(target)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["query", sql, "--format", "csv", "--output", str(target), "--force"]) == 0
