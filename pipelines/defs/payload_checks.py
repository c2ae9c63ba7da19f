"""A landed payload's two blocking checks, run as one step from one parse of the payload:

- `schema_valid`: the source's parser and pandera schema accept it;
- `no_absurd_revision`: no value differs from the published edition's beyond its indicator's
  hard bound (pipelines/defs/plausibility.py).

Either failing stops the load of raw/<source>_observations and everything downstream. One step
instead of one per check: each step costs the refresh its own events and start-up, and both
checks read the same parsed frame.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg

from pipelines.defs.landing import load_landed, point_to_landed
from pipelines.defs.plausibility import ABSURD, NOTHING_LANDED, published_rows
from pipelines.defs.source_assets import payload_key, skipped_offline
from pipelines.settings import Settings
from sources.errors import SourceError
from sources.source import Source

SCHEMA_VALID = "schema_valid"


def build_payload_checks(source: Source) -> dg.AssetChecksDefinition:
    key = payload_key(source)

    @dg.multi_asset_check(
        name=f"{source.id}_payload_checks",
        specs=[
            dg.AssetCheckSpec(
                SCHEMA_VALID,
                asset=key,
                blocking=True,
                description=f"Parses the landed payload and validates it with the pandera "
                f"schema `{source.schema.name}`; a failure stops the load and everything "
                "downstream.",
            ),
            dg.AssetCheckSpec(
                ABSURD.name, asset=key, blocking=True, description=ABSURD.description
            ),
        ],
    )
    def payload_checks(settings: dg.ResourceParam[Settings]) -> Iterator[dg.AssetCheckResult]:
        if skipped_offline(settings, source):
            yield dg.AssetCheckResult(
                check_name=SCHEMA_VALID, passed=True, metadata={"skipped": "no snapshot"}
            )
            yield dg.AssetCheckResult(
                check_name=ABSURD.name, passed=True, description=NOTHING_LANDED.format(source.id)
            )
            return
        payload = load_landed(settings.raw_dir, source.id)
        try:
            frame = source.observations(payload)
        except SourceError as refused:
            exc = point_to_landed(settings.raw_dir, payload, refused)
            yield dg.AssetCheckResult(
                check_name=SCHEMA_VALID,
                passed=False,
                description=str(exc),
                metadata={
                    "error": str(exc),
                    "url": exc.url,
                    "field": exc.field or "",
                    "payload_sha256": payload.sha256,
                },
            )
            yield dg.AssetCheckResult(
                check_name=ABSURD.name, passed=True, description="not parsed: see schema_valid"
            )
            return
        yield dg.AssetCheckResult(
            check_name=SCHEMA_VALID,
            passed=True,
            metadata={"rows": len(frame), "payload_sha256": payload.sha256},
        )
        rows = ABSURD.find(frame, published_rows(settings.published_db, source.id))
        yield dg.AssetCheckResult(
            check_name=ABSURD.name,
            passed=rows.empty,
            description=f"[{source.id}] {ABSURD.describe(rows)}" if len(rows) else ABSURD.passed,
            metadata={
                "rows": len(rows),
                "payload_sha256": payload.sha256,
                "examples": dg.MetadataValue.md(rows.head(50).to_markdown(index=False)),
            },
        )

    return payload_checks
