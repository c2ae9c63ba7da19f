"""What the asset pages show: column schema from the pandera contract, freshness from the cadence."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.defs.source_assets import observations_key, payload_key
from sources import SOURCES


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_raw_table_columns_come_from_the_pandera_contract(source_id):
    source = SOURCES[source_id]
    node = defs.resolve_asset_graph().get(observations_key(source))
    schema = node.metadata["dagster/column_schema"]
    assert [c.name for c in schema.columns] == list(source.schema.columns)
    columns = {c.name: c for c in schema.columns}
    assert columns["period"].type == "int64"
    assert columns["payload_sha256"].description  # the contract's meaning, not just a type
    assert any("isin" in rule for rule in columns["indicator_id"].constraints.other)


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_freshness_policy_follows_the_cadence(source_id):
    source = SOURCES[source_id]
    graph = defs.resolve_asset_graph()
    for key in (payload_key(source), observations_key(source)):
        policy = graph.get(key).freshness_policy
        assert isinstance(policy, dg.FreshnessPolicy)
        assert policy.fail_window.to_timedelta() == timedelta(
            days=source.cadence.overdue_after_days
        )


def test_dbt_models_carry_documented_columns():
    node = defs.resolve_asset_graph().get(dg.AssetKey("scorecard_city"))
    columns = {c.name for c in node.metadata["dagster/column_schema"].columns}
    assert {"city_id", "year", "overall_score", "overall_rank"} <= columns


def test_the_groups_are_the_layers_and_flow_one_way():
    """sources -> seeds -> staging -> intermediate -> marts -> audit -> publish, left to right."""
    from pipelines.defs.dbt_models import GROUP_ORDER

    graph = defs.resolve_asset_graph()
    group = {key: graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert set(group.values()) == set(GROUP_ORDER)
    for key, name in group.items():
        for parent in graph.get(key).parent_keys:
            assert GROUP_ORDER.index(group[parent]) <= GROUP_ORDER.index(name), (key, parent)
    expected = {
        "payloads/worldbank": "sources",
        "seeds/cities": "seeds",
        "stg_worldbank__observations": "staging",
        "scorecard_city": "marts",
        "audit_sobol": "audit",
        "latest_scorecard": "publish",
        "published_warehouse": "publish",
    }
    assert {k: group[dg.AssetKey.from_user_string(k)] for k in expected} == expected
    assert any(name == "intermediate" for name in group.values())
