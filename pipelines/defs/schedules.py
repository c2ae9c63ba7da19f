"""Each source's cadence (declared next to the source) as a Dagster schedule.

A schedule fetches one source (payload, its blocking `schema_valid` check, its observations
table); everything downstream follows by declarative automation (pipelines/defs/automation.py), so
there is exactly one cron per source and none for dbt, publish or the cards.
"""

import dagster as dg

from pipelines.defs.source_assets import observations_key, payload_key
from sources.source import Source

TIMEZONE = "UTC"


def schedule_name(source: Source) -> str:
    return f"fetch_{source.id}"


def source_schedule(source: Source) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name=schedule_name(source),
        cron_schedule=source.cadence.cron,
        execution_timezone=TIMEZONE,
        target=dg.AssetSelection.assets(payload_key(source), observations_key(source)),
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Fetch {source.title} {source.cadence.label} ({source.cadence.cron} "
        f"{TIMEZONE}); dbt, publish and the cards follow by declarative automation.",
        tags={"citydip/source": source.id},
    )
