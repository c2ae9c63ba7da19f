"""The plausibility checks: wired per source, non-blocking, and quiet on the default data."""

from __future__ import annotations

import dataclasses

import pandas as pd

from pipelines.definitions import defs
from pipelines.defs.plausibility import (
    build_plausibility_checks,
    dropped_geographies,
    year_on_year_jumps,
)
from pipelines.defs.source_assets import observations_key
from pipelines.settings import load_settings
from sources import SOURCES


def test_every_source_has_both_non_blocking_checks():
    specs = {
        (spec.asset_key.to_user_string(), spec.name): spec
        for checks in defs.asset_checks or []
        for spec in checks.check_specs
    }
    for source_id in SOURCES:
        for name in ("plausible_year_on_year", "no_dropped_geographies"):
            spec = specs[(f"raw/{source_id}_observations", name)]
            assert not spec.blocking


def test_the_default_data_raises_no_warning():
    for source in (s for s in SOURCES.values() if s.has_snapshot):
        frame = source.observations(source.snapshot())
        assert year_on_year_jumps(frame).empty, source.id
        assert dropped_geographies(frame, frame).empty


def test_a_jump_is_measured_both_ways_and_only_between_consecutive_years():
    frame = pd.DataFrame(
        {
            "indicator_id": ["population"] * 4,
            "geo_id": ["HKG"] * 4,
            "period": [2019, 2020, 2021, 2023],
            "value": [100.0, 10.0, 100.0, 1000.0],  # 2021 -> 2023 is not consecutive
        }
    )
    jumps = year_on_year_jumps(frame)
    assert jumps["period"].tolist() == [2020, 2021]
    assert jumps["factor"].round(6).tolist() == [10.0, 10.0]


def test_unchecked_indicators_never_warn():
    frame = pd.DataFrame(
        {
            "indicator_id": ["fdi_net_inflows"] * 2,
            "geo_id": ["HKG"] * 2,
            "period": [2020, 2021],
            "value": [1.0, 1000.0],
        }
    )
    assert year_on_year_jumps(frame).empty


def test_a_source_with_nothing_landed_passes_with_a_reason(tmp_path):
    """A live-only source (here wikidata without its snapshot folder) refreshed offline lands
    nothing; its checks must not fail."""
    settings = load_settings({"CITYDIP_HOME": str(tmp_path)})
    source = dataclasses.replace(SOURCES["wikidata"], snapshot_dir=tmp_path / "no-snapshots")
    assert not source.has_snapshot
    for check in build_plausibility_checks(source, observations_key(source)):
        result = check(settings=settings)
        assert result.passed
        assert "no payload of wikidata landed" in result.description
