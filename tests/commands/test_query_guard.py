"""`citydip query` runs reading statements only: nothing is written, not even into the
warehouse's own temporary folder, which the read-only connection alone still allowed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.cli.main import main
from pipelines.cli.query import EXIT_REFUSED
from pipelines.read.query_guard import refused_statement

WRITES = {
    "COPY (select 1) TO '{tmp}/x'": "COPY",
    "copy dim_city to '{tmp}/x.csv'": "COPY",
    "EXPORT DATABASE '{tmp}/dump'": "EXPORT",
    "install httpfs": "LOAD",
    "LOAD json": "LOAD",
    "attach ':memory:' as m": "ATTACH",
    "detach m": "DETACH",
    "create temp table t as select 1": "CREATE",
    "insert into dim_city values ('x')": "INSERT",
    "update dim_city set city_id = 'x'": "UPDATE",
    "delete from dim_city": "DELETE",
    "drop table dim_city": "DROP",
    "alter table dim_city add column y int": "ALTER",
    "SET threads = 1": "SET",
    "reset threads": "SET",
    "use memory": "SET",
    "vacuum": "VACUUM",
    "begin transaction": "TRANSACTION",
    "prepare p as select 1": "PREPARE",
    "update extensions": "an unknown statement type",
    "explain analyze copy (select 1) to '{tmp}/y'": "COPY",
    "explain (format json) select 1": "EXPLAIN",
    "select 1; Copy (select 1) To '{tmp}/z'": "COPY",
}
READS = [
    "select * from dim_city",
    "with c as (select 1) select * from c",
    "from dim_city",
    "values (1)",
    "describe dim_city",
    "show tables",
    "summarize dim_city",
    "explain select 1",
    "explain analyze select 1",
    "pragma table_info('dim_city')",
    "call duckdb_tables()",
    "pivot dim_city on city_id",
]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A published file of one table, with its temporary folder present."""
    home = tmp_path / "home"
    home.mkdir()
    with duckdb.connect(str(home / "citydip.duckdb")) as con:
        con.execute("create table dim_city as select 'hong-kong' as city_id")
    (home / "citydip.duckdb.tmp").mkdir()
    monkeypatch.setenv("CITYDIP_HOME", str(home))
    monkeypatch.chdir(home)  # the probe's relative path names the folder
    return home


def files(home: Path) -> set[Path]:
    return {p for p in home.rglob("*") if p.name != "citydip.duckdb.wal"}


@pytest.mark.parametrize("sql, kind", WRITES.items(), ids=list(WRITES))
def test_every_write_statement_type_is_refused(sql: str, kind: str, home: Path, capsys):
    before = files(home)
    assert main(["query", sql.format(tmp="citydip.duckdb.tmp")]) == EXIT_REFUSED
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err  # one line
    assert "refused: the published warehouse is read-only" in err
    assert f"(statement: {kind})" in err
    assert files(home) == before  # nothing written, in the temporary folder or anywhere


@pytest.mark.parametrize("sql", READS)
def test_reading_statements_run(sql: str, home: Path, capsys):
    assert refused_statement(sql) is None
    assert main(["query", sql, "--format", "json"]) == 0, capsys.readouterr().err


def test_without_the_guard_the_connection_wrote_into_its_temporary_folder(home: Path):
    """Why the guard exists: the read-only, no-external-access connection alone lets COPY write
    into `<warehouse>.tmp/` (DuckDB allows its own temporary folder)."""
    from pipelines.read.reader import open_published

    with open_published(home / "citydip.duckdb") as con:
        con.execute("COPY (select 1) TO 'citydip.duckdb.tmp/x'")
    assert (home / "citydip.duckdb.tmp" / "x").exists()
