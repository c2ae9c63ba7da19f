""" "What changed since the last edition" on a city's card: its rank and score change with the
parts of each cause (edition_attribution), the indicators behind them and its anomalies."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

CAUSE_LABELS = {
    "new_data": "new data",
    "revisions": "revisions",
    "method": "method",
    "coverage": "coverage",
}
SHOWN_ITEMS = 3


@dataclass(frozen=True)
class CityChanges:
    edition_id: int
    previous_edition_id: int
    rank_change: float | None
    score_change: float | None
    parts: list[tuple[str, float, float]]  # (cause label, rank part, score part)
    items: list[tuple[str, str, float]]  # (cause label, item, score part)
    anomalies: list[str]


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {n for (n,) in con.execute("select table_name from duckdb_tables()").fetchall()}


def city_changes(con: duckdb.DuckDBPyConnection, city_id: str, year: int) -> CityChanges | None:
    """The newest edition's changes for the city's `year`, or None (first edition, no history)."""
    if not {"edition_history", "edition_attribution", "edition_anomaly"} <= _tables(con):
        return None
    newest = con.execute(
        "select edition_id, previous_edition_id from edition_history order by edition_id desc"
    ).fetchone()
    if newest is None or newest[1] is None:
        return None
    edition_id, previous_id = newest
    rows = {
        measure: rest
        for measure, *rest in con.execute(
            "select measure, change, new_data, revisions, method, coverage "
            "from edition_attribution where edition_id = ? and city_id = ? and year = ?",
            [edition_id, city_id, year],
        ).fetchall()
    }
    rank, score = rows.get("overall_rank"), rows.get("overall_score")
    parts = [
        (label, rank[n + 1] if rank else 0.0, score[n + 1] if score else 0.0)
        for n, label in enumerate(CAUSE_LABELS.values())
    ]
    items = [
        (CAUSE_LABELS[cause], item, part)
        for cause, item, part in con.execute(
            "select cause, item, part from edition_attribution_item where edition_id = ? "
            "and city_id = ? and year = ? and measure = 'overall_score' "
            "order by abs(part) desc, item limit ?",
            [edition_id, city_id, year, SHOWN_ITEMS],
        ).fetchall()
    ]
    anomalies = [
        detail
        for (detail,) in con.execute(
            "select detail from edition_anomaly where edition_id = ? "
            "and (city_id = ? or geo_id = ?) order by kind, detail",
            [edition_id, city_id, city_id],
        ).fetchall()
    ]
    return CityChanges(
        edition_id,
        previous_id,
        rank[0] if rank else None,
        score[0] if score else None,
        [p for p in parts if p[1] or p[2]],
        items,
        anomalies,
    )
