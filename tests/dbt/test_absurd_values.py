"""No single value can fail the build for every source (issue 17).

A World Bank value of 1e308 once passed the contract, was loaded, and failed every later `dbt
build` with `SKEW is out of range!`, naming no source. The contract now refuses it
(tests/reliability/fault_corpus.py, row wb-1e308); here it is loaded past the contract, straight
into the working database, and dbt must still build: a value outside its indicator's bounds
(seed `indicators`) never enters the scorecard.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.dbt.dbt_run import WITHOUT_AUDIT, copy_of_build_db, query, run_dbt


@pytest.mark.e2e  # a whole dbt build of the scorecard
def test_a_value_past_the_contract_is_kept_out_of_the_scorecard(published_home: Path, tmp_path):
    build_db = copy_of_build_db(published_home / "citydip.duckdb", tmp_path)
    with duckdb.connect(str(build_db)) as con:
        changed = con.execute(
            "update raw.worldbank_observations set value = 1e308 "
            "where indicator_id = 'market_capitalisation' and geo_id = 'USA' and period = 2022 "
            "returning geo_id"
        ).fetchall()
    assert changed == [("USA",)]
    run_dbt(["build", *WITHOUT_AUDIT], build_db, tmp_path)  # fails on any error or failed test
    assert query(
        build_db,
        "select count(*) from fct_observation where value = 1e308 and geo_id = 'USA'",
    ) == [(1,)]
    [(largest,)] = query(
        build_db,
        "select max(raw_value) from scorecard_indicator "
        "where indicator_id = 'market_capitalisation'",
    )
    assert largest < 1e15
    [(new_york_2022,)] = query(
        build_db,
        "select count(*) from scorecard_indicator where indicator_id = 'market_capitalisation' "
        "and city_id = 'new-york' and data_year = 2022 and not is_imputed",
    )
    assert new_york_2022 == 0
    assert query(build_db, "select count(distinct city_id) from scorecard_city") == [(9,)]
