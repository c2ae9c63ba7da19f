"""Declarative automation: everything below the sources updates when its inputs change.

dbt models, the published warehouse and the cards carry `eager()` restricted to inputs whose
blocking checks passed, so a failed pandera check or dbt test leaves them as they were. The
automation condition sensor runs by default, so `dg dev` and the daemon act on it unattended.
"""

from collections.abc import Sequence

import dagster as dg

SOURCE_GROUP = "sources"

DOWNSTREAM = (
    dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()
).with_label("eager_when_inputs_valid")

AUTOMATION_SENSOR = dg.AutomationConditionSensorDefinition(
    "citydip_automation",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Requests dbt models, publish and cards after their inputs updated.",
)


def _automate(spec: dg.AssetSpec) -> dg.AssetSpec:
    if spec.group_name == SOURCE_GROUP or spec.automation_condition is not None:
        return spec
    return spec.replace_attributes(automation_condition=DOWNSTREAM)


def automate_downstream(assets: Sequence) -> list:
    """Give every asset outside the `sources` group (dbt, publish, cards) the DOWNSTREAM condition."""
    return list(dg.map_asset_specs(_automate, assets))
