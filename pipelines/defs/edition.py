"""What makes a published edition self-describing: `_citydip_meta` and the dbt docs as comments.

Applied to the new file before it is swapped in, so every edition an analyst can open carries
its own provenance (git commit, dbt vars, per-source payload hashes), row counts and the
column documentation of the dbt project.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

from pipelines.settings import DBT_PROJECT_DIR, REPO_ROOT
from pipelines.sql import sql_identifier, sql_literal

META_TABLE = "_citydip_meta"

META_DOCS = {
    "": "The edition's own description: one row per fact (section edition, dbt_var, source, "
    "table). Query it to know when and from what this file was published.",
    "section": "`edition` (published_at, git_commit, dbt_vars), `dbt_var` (one per dbt var), "
    "`source` (one per source payload in fct_observation) or `table` (one per published table).",
    "name": "The fact's name: a key of the edition, a dbt var, a source id or a table name.",
    "value": "The value as text: a timestamp, commit, JSON, payload SHA-256 or row count.",
    "fetched_at": "For `source` rows: when that payload was fetched from the provider.",
    "row_count": "For `table` rows: the number of rows published; for `source` rows: its observations.",
}


def git_commit(repo: Path = REPO_ROOT) -> str:
    """The commit the code was at, or `unknown` outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def effective_dbt_vars(overrides: dict) -> dict:
    """The project's defaults from dbt_project.yml with the run's overrides applied."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    return {**(project.get("vars") or {}), **overrides}


def model_docs(manifest_path: Path) -> dict[str, dict]:
    """{model name: {"": table description, column: description}} from the dbt manifest.

    A column the model does not describe keeps the description it has in the models the model
    selects from, the first one that describes it (in the order of their refs): a view passes
    the columns of its mart through with their meaning."""
    if not manifest_path.exists():
        return {}
    nodes = json.loads(manifest_path.read_text()).get("nodes", {})
    own = {
        unique_id: {
            "": node.get("description") or "",
            **{c: spec.get("description") or "" for c, spec in (node.get("columns") or {}).items()},
        }
        for unique_id, node in nodes.items()
        if node.get("resource_type") in ("model", "seed", "snapshot")
    }
    docs: dict[str, dict] = {}
    for unique_id, entry in own.items():
        node = nodes[unique_id]
        inherited: dict[str, str] = {}
        for parent in (node.get("depends_on") or {}).get("nodes", []):
            for column, description in own.get(parent, {}).items():
                if column and description:
                    inherited.setdefault(column, description)
        described = {c: d for c, d in entry.items() if d}
        docs[node.get("alias") or node["name"]] = {**inherited, **described}
    return docs


def pillar_column_docs(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """{`<pillar>_score`: description} for the score columns scorecard_city (and the views over
    it) has one of per pillar of seed `pillars` (dim_pillar): a static description cannot name
    them."""
    rows = con.execute("select pillar, pillar_name from dim_pillar").fetchall()
    return {f"{pillar}_score": f"{name} pillar score." for pillar, name in rows}


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    rows = con.execute(
        "select column_name from duckdb_columns() where database_name = current_database() "
        "and schema_name = 'main' and table_name = ? order by column_index",
        [relation],
    ).fetchall()
    return [name for (name,) in rows]


def _comment(con: duckdb.DuckDBPyConnection, kind: str, relation: str, docs: dict) -> None:
    if docs.get(""):
        con.execute(f"comment on {kind} {sql_identifier(relation)} is {sql_literal(docs[''])}")
    for column in _columns(con, relation):
        if docs.get(column):
            con.execute(
                f"comment on column {sql_identifier(relation)}.{sql_identifier(column)} is {sql_literal(docs[column])}"
            )


def describe_edition(
    con: duckdb.DuckDBPyConnection,
    *,
    manifest_path: Path,
    dbt_vars: dict,
    published_at: datetime | None = None,
) -> None:
    """Add `_citydip_meta` and comments to the new edition `con` is connected to."""
    from pipelines.editions.table_docs import edition_table_docs

    tables = _relations(con, "BASE TABLE")
    views = _relations(con, "VIEW")
    _write_meta(con, tables, dbt_vars, published_at or datetime.now(UTC))

    docs = model_docs(manifest_path)
    docs = {**docs, **edition_table_docs(docs)}
    pillar_docs = pillar_column_docs(con) if "dim_pillar" in tables else {}
    for kind, relations in (("table", tables), ("view", views)):
        for relation in relations:
            _comment(con, kind, relation, {**pillar_docs, **docs.get(relation, {})})
    _comment(con, "table", META_TABLE, META_DOCS)


def _relations(con: duckdb.DuckDBPyConnection, table_type: str) -> list[str]:
    """The edition's tables (`BASE TABLE`) or views (`VIEW`), by name."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = current_database() "
        "and table_schema = 'main' and table_type = ? order by table_name",
        [table_type],
    ).fetchall()
    return [name for (name,) in rows]


def _write_meta(
    con: duckdb.DuckDBPyConnection, tables: list[str], dbt_vars: dict, published_at: datetime
) -> None:
    rows: list[tuple] = [
        ("edition", "published_at", published_at.isoformat(), None, None),
        ("edition", "git_commit", git_commit(), None, None),
        ("edition", "dbt_vars", json.dumps(dbt_vars, sort_keys=True), None, None),
    ]
    rows += [("dbt_var", k, json.dumps(v), None, None) for k, v in sorted(dbt_vars.items())]
    if "fct_observation" in tables:
        rows += [
            ("source", source_id, sha, fetched_at, n)
            for source_id, sha, fetched_at, n in con.execute(
                "select source_id, payload_sha256, max(fetched_at), count(*) "
                "from fct_observation group by all order by all"
            ).fetchall()
        ]
    for table in tables:
        n = con.execute(f"select count(*) from {sql_identifier(table)}").fetchone()[0]
        rows.append(("table", table, str(n), None, n))
    con.execute(
        f"create table {META_TABLE} (section varchar not null, name varchar not null, "
        "value varchar, fetched_at timestamptz, row_count bigint)"
    )
    con.executemany(f"insert into {META_TABLE} values (?, ?, ?, ?, ?)", rows)
