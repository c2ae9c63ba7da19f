"""Quoting for the few SQL statements that cannot take bound parameters (names, ATTACH paths).

Values always go through `con.execute(sql, [params])`; only identifiers and file paths are
spliced into SQL text, and only through these two functions.
"""

from __future__ import annotations


def sql_literal(text: str) -> str:
    """Quote a string (e.g. a file path) as a SQL literal."""
    if "\x00" in text:
        raise ValueError("NUL byte in a SQL literal")
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """Quote an identifier for DuckDB."""
    if "\x00" in name:
        raise ValueError("NUL byte in a SQL identifier")
    return '"' + name.replace('"', '""') + '"'
