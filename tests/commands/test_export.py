"""`citydip export`: every published table as Parquet or CSV, readable by other tools."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.cli.main import main


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_writes_every_table_with_its_rows(fmt, reader_env, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["export", "--format", fmt, str(out), "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    with duckdb.connect(str(reader_env / "citydip.duckdb"), read_only=True) as con:
        tables = dict(
            con.execute(
                "select name, row_count from _citydip_meta where section = 'table'"
            ).fetchall()
        )
    assert {p.name for p in out.iterdir()} == {f"{t}.{fmt}" for t in [*tables, "_citydip_meta"]}
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    with duckdb.connect() as con:
        for table, rows in tables.items():
            path = str(out / f"{table}.{fmt}")
            assert con.execute(f"select count(*) from {reader}(?)", [path]).fetchone()[0] == rows


def test_export_refuses_to_overwrite_files_unless_forced(reader_env, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["export", "--format", "csv", str(out), "--quiet"]) == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert main(["export", "--format", "csv", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "already exist" in err and "--force" in err and "Traceback" not in err
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert main(["export", "--format", "csv", str(out), "--quiet", "--force"]) == 0


def test_export_into_a_file_is_one_line(reader_env, tmp_path, capsys):
    target = tmp_path / "a-file"
    target.write_text("keep me")
    assert main(["export", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err
    assert target.read_text() == "keep me"
