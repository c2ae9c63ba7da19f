"""Each kind of anomaly between two editions (pipelines/editions/anomalies.py), on two small
hand-made editions in memory."""

from __future__ import annotations

import duckdb

from pipelines.editions.anomalies import KINDS, find_anomalies

OBSERVATIONS = (
    "source_id varchar, indicator_id varchar, geo_id varchar, period integer, value double"
)
CITIES = "city_id varchar, year integer, overall_rank integer, rank_p05 integer, rank_p95 integer"


def editions() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("attach ':memory:' as prev")
    for schema in ("main", "prev.main"):
        con.execute(f"create table {schema}.fct_observation ({OBSERVATIONS})")
        con.execute(f"create table {schema}.scorecard_city ({CITIES})")
    old = [
        ("qs", "qs_top100_universities", "dubai", 2023, 1.0),
        ("qs", "qs_top100_universities", "dubai", 2024, 2.0),  # largest step 1
        ("qs", "qs_top100_universities", "paris", 2024, 4.0),  # revised x3.5 (tolerance 3)
        ("qs", "qs_top100_universities", "seoul", 2024, 3.0),  # disappears
    ]
    new = [
        *old[:2],
        ("qs", "qs_top100_universities", "dubai", 2025, 9.0),  # a step of 7 > 2 x 1
        ("qs", "qs_top100_universities", "paris", 2024, 14.0),
    ]
    con.executemany("insert into prev.main.fct_observation values (?, ?, ?, ?, ?)", old)
    con.executemany("insert into main.fct_observation values (?, ?, ?, ?, ?)", new)
    con.execute("insert into prev.main.scorecard_city values ('dubai', 2025, 8, 6, 9)")
    con.execute("insert into main.scorecard_city values ('dubai', 2025, 3, null, null)")
    return con


def test_each_kind_is_found_once():
    found = find_anomalies(editions(), "prev")
    assert sorted(a["kind"] for a in found) == sorted(KINDS)
    by_kind = {a["kind"]: a for a in found}
    assert by_kind["disappeared_observation"]["geo_id"] == "seoul"
    assert by_kind["revision_beyond_tolerance"]["tolerance"] == 3
    assert (by_kind["jump_vs_history"]["geo_id"], by_kind["jump_vs_history"]["period"]) == (
        "dubai",
        2025,
    )
    assert by_kind["rank_outside_interval"]["city_id"] == "dubai"
    assert (
        "outside the previous edition's interval 6-9" in by_kind["rank_outside_interval"]["detail"]
    )


def test_an_unchanged_edition_has_none():
    con = editions()
    con.execute("delete from main.fct_observation")
    con.execute("insert into main.fct_observation select * from prev.main.fct_observation")
    con.execute("delete from main.scorecard_city")
    con.execute("insert into main.scorecard_city select * from prev.main.scorecard_city")
    assert find_anomalies(con, "prev") == []


def test_an_edition_without_anomalies_records_none():
    """A publish with nothing to report must not fail (DuckDB's executemany refuses no rows)."""
    from pipelines.editions.anomalies import record_anomalies

    con = editions()
    con.execute("delete from main.fct_observation")
    con.execute("insert into main.fct_observation select * from prev.main.fct_observation")
    con.execute("delete from main.scorecard_city")
    con.execute("insert into main.scorecard_city select * from prev.main.scorecard_city")
    assert record_anomalies(con, "prev", 2, 1) == 0
    assert con.execute("select count(*) from edition_anomaly").fetchone() == (0,)
