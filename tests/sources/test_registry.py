"""The indicator registry's bounds (dbt_project/seeds/indicators.csv, read by sources/registry.py):
one for every indicator, consistent, and small enough that no aggregate can overflow."""

from __future__ import annotations

import csv
import math
import sys

from sources import SOURCES
from sources.registry import INDICATORS_SEED, indicator_bounds

CITIES_AT_MOST = 10_000  # far more cities than any comparison set


def registry_rows() -> list[dict]:
    with INDICATORS_SEED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_indicator_has_hard_bounds_and_soft_factors():
    bounds = indicator_bounds()
    assert set(bounds) == {row["indicator_id"] for row in registry_rows()}
    for indicator_id, b in bounds.items():
        assert b.min_value < b.max_value, indicator_id
        for factor in (b.max_yearly_factor, b.max_revision_factor):
            assert math.isnan(factor) or factor > 1, indicator_id
        assert not math.isnan(b.max_revision_factor), indicator_id


def test_counts_and_ranks_are_whole_numbers():
    for row in registry_rows():
        counts = row["unit"] in {"count", "rank", "works", "citations"}
        assert (row["integer"] == "true") == counts, row["indicator_id"]


def test_only_a_net_flow_may_be_negative():
    negative = {i for i, b in indicator_bounds().items() if b.min_value < 0}
    assert negative == {"fdi_net_inflows"}


def test_no_value_within_bounds_can_overflow_an_aggregate():
    """The widest statistic dbt computes is the kurtosis: a sum of fourth powers over the cities.
    Within its bounds no value can overflow it (1e308 did: SKEW is out of range!)."""
    for indicator_id, b in indicator_bounds().items():
        largest = max(abs(b.min_value), abs(b.max_value))
        assert largest**4 * CITIES_AT_MOST < sys.float_info.max, indicator_id


def test_every_sources_indicators_are_registered_with_their_unit():
    units = {row["indicator_id"]: row["unit"] for row in registry_rows()}
    for source in SOURCES.values():
        for indicator_id, unit in source.indicators.items():
            assert units.get(indicator_id) == unit, (source.id, indicator_id)


def test_the_hard_revision_bound_lies_beyond_the_soft_one():
    for indicator_id, b in indicator_bounds().items():
        if b.min_value < 0:  # a net flow changes sign: a ratio means nothing
            assert math.isnan(b.hard_revision_factor), indicator_id
        else:
            assert b.hard_revision_factor > b.max_revision_factor, indicator_id
