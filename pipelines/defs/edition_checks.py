"""Non-blocking (WARN) asset checks on published_warehouse, one per anomaly kind between the new
edition and the one it replaced (pipelines/editions/anomalies.py): they read the rows publish
wrote to `edition_anomaly` in the published file, and fail with the rows as metadata."""

from __future__ import annotations

import dagster as dg
import duckdb

from pipelines.editions.anomalies import KINDS, newest_anomalies
from pipelines.settings import Settings

EXAMPLES = 10


def _check(kind: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset="published_warehouse",
        name=f"edition_{kind}",
        blocking=False,
        description=f"WARN when the new edition has `{kind}` anomalies against the previous "
        "edition (rows in edition_anomaly).",
    )
    def check(settings: dg.ResourceParam[Settings]) -> dg.AssetCheckResult:
        with duckdb.connect(str(settings.published_db), read_only=True) as con:
            found = newest_anomalies(con, kind)
        return dg.AssetCheckResult(
            passed=not found,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{len(found)} {kind} anomal{'y' if len(found) == 1 else 'ies'}",
            metadata={
                "anomalies": len(found),
                "examples": dg.MetadataValue.md(
                    "\n".join(f"- {a['detail']}" for a in found[:EXAMPLES]) or "none"
                ),
            },
        )

    return check


EDITION_CHECKS = [_check(kind) for kind in KINDS]
