"""What `citydip query` runs: reading statements only, decided before DuckDB sees the SQL.

The read-only connection (reader.py) refuses writes to the warehouse and to files outside it,
but DuckDB still lets it write into the database's own temporary folder: `COPY (select 1) TO
'citydip.duckdb.tmp/x'` or `EXPORT DATABASE 'citydip.duckdb.tmp/dump'` wrote files there when
that folder existed. So every statement is classified by DuckDB's own parser first and only the
reading types run: SELECT (with WITH, FROM-first, VALUES, DESCRIBE, SHOW, SUMMARIZE, PIVOT),
EXPLAIN of one of those, PRAGMA and CALL (whose setting-changing forms the locked configuration
refuses). Everything else (COPY, EXPORT, INSTALL/LOAD, ATTACH/DETACH, CREATE, INSERT, UPDATE,
DELETE, DROP, ALTER, SET/RESET/USE, VACUUM, PREPARE/EXECUTE, transactions, and any type this
DuckDB cannot name) is refused.
"""

from __future__ import annotations

import re

import duckdb

READING = {
    duckdb.StatementType.SELECT,
    duckdb.StatementType.PRAGMA,
    duckdb.StatementType.CALL,
}
# PIVOT parses as MULTI (a CREATE of an enum type, then a SELECT); its parts are checked alone.
_EXPLAIN = re.compile(r"^\s*explain\s+(analy[sz]e\s+)?", re.IGNORECASE)


def refused_statement(sql: str) -> str | None:
    """The name of the first statement type in `sql` that `citydip query` refuses, or None.

    A syntax error is DuckDB's to report (duckdb.ParserException propagates)."""
    for statement in duckdb.extract_statements(sql):
        try:
            kind = statement.type
        except ValueError:  # a type this Python API has no name for (e.g. UPDATE EXTENSIONS)
            return "an unknown statement type"
        if kind == duckdb.StatementType.EXPLAIN:
            refused = _explained(statement.query)
        elif kind == duckdb.StatementType.MULTI and statement.query.lstrip()[:5].lower() == "pivot":
            refused = None
        else:
            refused = None if kind in READING else kind.name
        if refused:
            return refused
    return None


def _explained(query: str) -> str | None:
    """EXPLAIN [ANALYZE] runs what it explains: the refusal of the statement explained (an
    EXPLAIN with options, whose statement cannot be told apart here, is refused whole)."""
    inner = _EXPLAIN.sub("", query, count=1)
    try:
        return refused_statement(inner) if inner != query else "EXPLAIN"
    except duckdb.ParserException:
        return "EXPLAIN"
