"""The plausibility checks: wired per source, non-blocking, quiet on the default data, and reading
the loaded tables (the new rows and the rows they replaced) with the registry's factors."""

from __future__ import annotations

import dataclasses

import dagster as dg
import pandas as pd
import pytest
from dagster_duckdb import DuckDBResource
from pytest_httpserver import HTTPServer

from pipelines.definitions import defs
from pipelines.defs.payload_checks import build_payload_checks
from pipelines.defs.plausibility import (
    CHECKS,
    absurd_revisions,
    build_plausibility_checks,
    dropped_geographies,
    revisions,
    year_on_year_jumps,
)
from pipelines.defs.source_assets import build_source_assets, observations_key
from pipelines.settings import load_settings
from sources import SOURCES
from tests.reliability.fault_corpus import scaled_comtrade
from tests.reliability.providers import serve

NAMES = [check.name for check in CHECKS]


def series(indicator: str, geo: str, values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": indicator,
            "geo_id": geo,
            "period": list(values),
            "value": list(values.values()),
        }
    )


def test_every_source_has_the_non_blocking_checks():
    specs = {
        (spec.asset_key.to_user_string(), spec.name): spec
        for checks in defs.asset_checks or []
        for spec in checks.check_specs
    }
    assert NAMES == ["plausible_year_on_year", "plausible_revision", "no_dropped_geographies"]
    for source_id in SOURCES:
        for name in NAMES:
            spec = specs[(f"raw/{source_id}_observations", name)]
            assert not spec.blocking


def test_the_default_data_raises_no_warning():
    for source in (s for s in SOURCES.values() if s.has_snapshot):
        frame = source.observations(source.snapshot())
        assert year_on_year_jumps(frame, frame).empty, source.id
        assert revisions(frame, frame).empty, source.id
        assert dropped_geographies(frame, frame).empty


def test_a_jump_is_measured_both_ways_and_only_between_consecutive_years():
    frame = series("population", "HKG", {2019: 100.0, 2020: 10.0, 2021: 100.0, 2023: 1000.0})
    jumps = year_on_year_jumps(frame)  # 2021 -> 2023 is not consecutive
    assert jumps["period"].tolist() == [2020, 2021]
    assert jumps["factor"].round(6).tolist() == [10.0, 10.0]


def test_unchecked_indicators_never_warn():
    frame = series("fdi_net_inflows", "HKG", {2020: 1.0, 2021: 1000.0})
    assert year_on_year_jumps(frame).empty


def test_a_new_year_is_compared_with_the_previous_loads_years():
    """A payload with only the newest year (the HK daily file of one year) still has a history:
    the previous load's years. A jump between two old years is not news."""
    previous = series("city_visitor_arrivals", "hong-kong", {2019: 5e7, 2020: 1e5, 2021: 1e5})
    frame = series("city_visitor_arrivals", "hong-kong", {2022: 1e5 * 1000})
    jumps = year_on_year_jumps(frame, previous)
    assert jumps[["previous_period", "period"]].values.tolist() == [[2021, 2022]]
    assert year_on_year_jumps(previous.tail(1), previous).empty  # 2019 -> 2020 is old


def test_a_unit_change_is_a_revision_in_one_year_every_year_or_one_geography():
    previous = pd.concat(
        [
            series("goods_imports_from_china", "HKG", {2016: 2.9e11, 2017: 2.8e11, 2018: 3.0e11}),
            series("goods_imports_from_china", "SGP", {2016: 4.5e10, 2017: 4.5e10, 2018: 4.9e10}),
        ]
    )
    hkg_2017 = (previous["geo_id"] == "HKG") & (previous["period"] == 2017)
    one_year = previous.assign(value=previous["value"].mask(hkg_2017, 2.8e14))
    every_year = previous.assign(value=previous["value"] * 1000)
    one_geography = previous.assign(
        value=previous["value"].where(previous["geo_id"] != "SGP", previous["value"] / 1000)
    )
    assert revisions(one_year, previous)[["geo_id", "period"]].values.tolist() == [["HKG", 2017]]
    assert len(revisions(every_year, previous)) == 6
    assert set(revisions(one_geography, previous)["geo_id"]) == {"SGP"}
    assert revisions(one_geography, previous)["factor"].round(6).eq(1000).all()
    # within the indicator's max_revision_factor (2): a statistical revision, not a warning
    assert revisions(previous.assign(value=previous["value"] * 1.5), previous).empty


def test_zero_and_sign_changes_are_not_ratios():
    previous = series("fdi_net_inflows", "GBR", {2020: 0.0, 2021: 5e10})
    frame = series("fdi_net_inflows", "GBR", {2020: 1e9, 2021: -5e10})
    assert revisions(frame, previous).empty


def test_a_source_with_nothing_landed_passes_with_a_reason(tmp_path, monkeypatch):
    """A live-only source (here wikidata without its snapshot folder) refreshed offline lands
    nothing; its checks must not fail."""
    settings = load_settings({"CITYDIP_HOME": str(tmp_path)})
    source = dataclasses.replace(SOURCES["wikidata"], snapshot_dir=tmp_path / "no-snapshots")
    assert not source.has_snapshot
    warnings = build_plausibility_checks(source, observations_key(source))
    results = [
        *build_payload_checks(source)(settings=settings),
        *warnings(
            duckdb=DuckDBResource(database=str(tmp_path / "build.duckdb")), settings=settings
        ),
    ]
    assert [r.check_name for r in results] == ["schema_valid", "no_absurd_revision", *NAMES]
    assert results[0].passed and results[0].metadata["skipped"].value == "no snapshot"
    for result in results[1:]:  # schema_valid says "skipped" in its metadata
        assert result.passed
        assert "no payload of wikidata landed" in result.description


@pytest.mark.integration
def test_the_checks_read_the_loaded_table_and_the_rows_it_replaced(
    tmp_path, monkeypatch, httpserver: HTTPServer
):
    """Load Comtrade from its snapshot, then live with one partner's values x1000: the revision
    check warns naming that partner's rows, from the two tables in the working database."""
    monkeypatch.setenv("CITYDIP_HOME", str(tmp_path / "home"))
    source = SOURCES["comtrade"]
    definitions = [
        *build_source_assets(source),
        build_payload_checks(source),
        build_plausibility_checks(source, observations_key(source)),
    ]
    database = DuckDBResource(database=str(tmp_path / "build.duckdb"))

    def load() -> dict[str, dg.AssetCheckEvaluation]:
        # the settings of this moment's environment (the second load is live)
        resources = {"duckdb": database, "settings": load_settings()}
        result = dg.materialize(definitions, resources=resources)
        return {e.check_name: e for e in result.get_asset_check_evaluations()}

    first = load()
    assert all(first[name].passed for name in NAMES)  # a first load has nothing to compare with
    for name, value in serve(httpserver, "comtrade", scaled_comtrade(1000, partner=344)).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CITYDIP_LIVE_SOURCES", "comtrade")
    second = load()
    revision = second["plausible_revision"]
    assert not revision.passed and revision.severity == dg.AssetCheckSeverity.WARN
    assert revision.description.startswith("18 value(s) revised beyond their bound")
    assert "goods_exports_to_china HKG 2010: 1.22603e+10 -> 1.22603e+13 x1e+03 (bound x2)" in (
        revision.description
    )
    assert revision.metadata["rows"].value == 18
    examples = revision.metadata["examples"].value
    assert "HKG" in examples and "SGP" not in examples
    assert second["plausible_year_on_year"].passed and second["no_dropped_geographies"].passed


def test_a_revision_beyond_the_hard_bound_blocks_and_a_unit_change_only_warns():
    published = series("goods_exports_to_china", "HKG", {2014: 1e10, 2015: 2e10})
    thousandfold = series("goods_exports_to_china", "HKG", {2014: 1e13, 2015: 2e10})
    assert absurd_revisions(thousandfold, published).empty  # x1000: a warning, not a block
    assert len(revisions(thousandfold, published)) == 1
    absurd = series("goods_exports_to_china", "HKG", {2014: 1e10, 2015: 2e15})
    blocked = absurd_revisions(absurd, published)
    assert list(blocked["period"]) == [2015] and blocked["bound"].iloc[0] == 10000
    # a net flow has no hard ratio (it changes sign): never blocked
    fdi = series("fdi_net_inflows", "GBR", {2020: 1e6, 2021: 5e10})
    fdi_published = series("fdi_net_inflows", "GBR", {2020: 1e12, 2021: 5e10})
    assert absurd_revisions(fdi, fdi_published).empty


def test_the_blocking_check_compares_the_landed_payload_with_the_published_values(tmp_path):
    """The payload's `no_absurd_revision` check reads the published warehouse's fct_observation:
    here the published Comtrade values are the snapshot's / 20000, so every landed value is a
    revision x20000, beyond the hard bound; against the snapshot's own values it passes."""
    import duckdb

    from pipelines.defs.landing import land

    settings = load_settings({"CITYDIP_HOME": str(tmp_path)})
    source = SOURCES["comtrade"]
    payload = source.snapshot()
    land(settings.raw_dir, payload)
    checks = build_payload_checks(source)

    def blocking(settings):
        return {r.check_name: r for r in checks(settings=settings)}["no_absurd_revision"]

    assert blocking(settings=settings).passed  # nothing published yet
    frame = source.observations(payload)
    for scale, passes in ((1, True), (1 / 20000, False)):
        published = frame.assign(value=frame["value"] * scale)
        settings.published_db.unlink(missing_ok=True)
        with duckdb.connect(str(settings.published_db)) as con:
            con.register("published", published)
            con.execute("create table fct_observation as select * from published")
        result = blocking(settings=settings)
        assert result.passed is passes, result.description
    assert result.description.startswith("[comtrade] ")
    assert "value(s) revised beyond their hard bound" in result.description
    assert "(bound x10000)" in result.description
