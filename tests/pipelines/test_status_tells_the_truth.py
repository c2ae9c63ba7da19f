"""`citydip status` tells the truth: the data's own age (the newest period a source holds in the
published warehouse of CITYDIP_HOME, and its payload's date) beside the fetch's age, and exit 3
with the provider's reason after a fetch that failed since the last good one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.definitions import defs
from pipelines.defs.source_assets import build_source_assets
from pipelines.read.status import collect_status
from pipelines.settings import load_settings
from tests.conftest import citydip_in_process
from tests.pipelines.helpers import broken_curated

GDCI_DATED = datetime(2019, 11, 20, tzinfo=UTC)  # the GDCI snapshot's retrieval date


def publish_tiny_edition(home) -> None:
    """A published warehouse holding what status reads: periods and payload dates."""
    home.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(home / "citydip.duckdb")) as con:
        con.execute("create table fct_observation (source_id varchar, period integer)")
        con.execute("insert into fct_observation values ('gdci', 2016), ('gdci', 2018)")
        con.execute(
            "create table _citydip_meta (section varchar, name varchar, value varchar, "
            "fetched_at timestamptz)"
        )
        con.execute("insert into _citydip_meta values ('source', 'gdci', 'abc', ?)", [GDCI_DATED])


def test_status_shows_the_datas_own_age_from_citydip_home(
    citydip_home, tmp_path, persistent_refreshed_instance
):
    publish_tiny_edition(citydip_home)
    instance = persistent_refreshed_instance
    now = datetime.now(UTC)

    status = collect_status(defs, instance, now, published_db=citydip_home / "citydip.duckdb")
    gdci = {s.source: s for s in status.sources}["gdci"]
    assert gdci.age_days is not None and gdci.age_days < 1  # fetched just now...
    assert gdci.newest_period == 2018  # ...but the data are of 2018
    assert gdci.data_date == GDCI_DATED
    assert gdci.data_age_days == round((now - GDCI_DATED).total_seconds() / 86400, 1)

    env = {"CITYDIP_HOME": str(citydip_home), "DAGSTER_HOME": str(tmp_path / "dagster")}
    report = json.loads(citydip_in_process("status", "--format", "json", env=env).stdout)
    [row] = [s for s in report["sources"] if s["source"] == "gdci"]
    assert row["newest_period"] == 2018 and row["data_date"].startswith("2019-11-20")
    table = citydip_in_process("status", env={**env, "COLUMNS": "240"}).stdout
    assert "newest data" in table and "2019-11-20" in table


def test_a_failed_fetch_exits_3_with_the_providers_reason(
    citydip_home, tmp_path, persistent_refreshed_instance
):
    instance = persistent_refreshed_instance
    result = dg.materialize(
        build_source_assets(broken_curated(tmp_path)),
        instance=instance,
        resources={
            "duckdb": DuckDBResource(database=str(tmp_path / "build.duckdb")),
            "settings": load_settings(),
        },
        raise_on_error=False,
    )
    assert not result.success

    status = collect_status(defs, instance, datetime.now(UTC) + timedelta(seconds=1))
    by_source = {s.source: s for s in status.sources}
    assert by_source["gfci"].failed and "no provenance" in by_source["gfci"].failed_fetch.error
    assert not by_source["worldbank"].failed

    env = {"CITYDIP_HOME": str(citydip_home), "DAGSTER_HOME": str(tmp_path / "dagster")}
    done = citydip_in_process("status", env={**env, "COLUMNS": "240"})
    assert done.returncode == 3
    [line] = [line for line in done.stdout.splitlines() if line.startswith("fetch failed gfci")]
    assert "no provenance" in line
