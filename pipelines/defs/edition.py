"""What makes a published edition self-describing: `_citydip_meta`, dbt docs as comments, views.

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

VIEWS = {
    "latest_scorecard": (
        "The edition's headline year (the year every surface shows): each city's row of "
        "scorecard_city with the year's caveats from scorecard_edition (pillars scored, share "
        "of proxy and imputed values, data years); unranked cities last.",
        """
        select
            c.*,
            e.pillars_scored as edition_pillars_scored,
            e.pillars_total as edition_pillars_total,
            e.proxy_share as edition_proxy_share,
            e.imputed_share as edition_imputed_share,
            e.data_year_min as edition_data_year_min,
            e.data_year_max as edition_data_year_max
        from scorecard_city as c
        inner join scorecard_edition as e on e.year = c.year and e.is_headline_year
        order by c.overall_rank nulls last, c.city_name
        """,
    ),
    "indicator_timeseries": (
        "Long form for plotting: one row per city, scorecard year and indicator, with the value "
        "used, the year it was observed, its 0-100 score, flags and source.",
        """
        select
            s.city_id,
            c.city_name,
            s.indicator_id,
            i.name as indicator_name,
            s.pillar,
            i.unit,
            s.year,
            s.data_year,
            s.raw_value as value,
            s.normalised_score,
            s.is_proxy,
            s.is_imputed,
            s.is_approximate,
            s.source_id,
            s.payload_sha256
        from scorecard_indicator as s
        inner join dim_city as c using (city_id)
        inner join dim_indicator as i using (indicator_id)
        """,
    ),
}

VIEW_COLUMN_DOCS = {
    "edition_pillars_scored": "Pillars scored for at least one city in the headline year.",
    "edition_pillars_total": "Pillars in the registry.",
    "edition_proxy_share": "Share of the headline year's scored values that are national proxies.",
    "edition_imputed_share": "Share of the headline year's scored values that are imputed.",
    "edition_data_year_min": "Oldest data year behind the headline year's scores.",
    "edition_data_year_max": "Newest data year behind the headline year's scores.",
    "indicator_name": "Human-readable indicator name (dim_indicator.name).",
    "value": "Value used for that scorecard year, in the indicator's unit (raw_value).",
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
    """{model name: {"": table description, column: description}} from the dbt manifest."""
    if not manifest_path.exists():
        return {}
    manifest = json.loads(manifest_path.read_text())
    docs: dict[str, dict] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") not in ("model", "seed", "snapshot"):
            continue
        entry = {"": node.get("description") or ""}
        for column, spec in (node.get("columns") or {}).items():
            entry[column] = spec.get("description") or ""
        docs[node.get("alias") or node["name"]] = entry
    return docs


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
    """Add the views, `_citydip_meta` and comments to the new edition `con` is connected to."""
    tables = [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'main' order by table_name"
        ).fetchall()
    ]
    views = []
    for view, (_, sql) in VIEWS.items():
        try:  # a view over marts this edition lacks (e.g. a minimal test build) is left out
            con.execute(f"create or replace view {sql_identifier(view)} as {sql}")
        except (duckdb.BinderException, duckdb.CatalogException):
            continue
        views.append(view)
    _write_meta(con, tables, dbt_vars, published_at or datetime.now(UTC))

    docs = model_docs(manifest_path)
    for table in tables:
        _comment(con, "table", table, docs.get(table, {}))
    _comment(con, "table", META_TABLE, META_DOCS)
    column_docs = {c: d for entry in docs.values() for c, d in entry.items() if c}
    for view in views:
        description = VIEWS[view][0]
        _comment(con, "view", view, {**column_docs, **VIEW_COLUMN_DOCS, "": description})


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
