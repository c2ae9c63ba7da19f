"""Curated publications: figures with no machine-readable feed, kept as versioned CSV files in
`sources/snapshots/curated/`, one provenance row per figure (publisher, publication, URL, as-of).

Live mode fetches the same files from CITYDIP_CURATED_BASE_URL (e.g. the repository's raw URL or
a mirror), so a curator can publish corrections without a release.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

from sources.cities import load_cities
from sources.errors import SourceError
from sources.http import Client
from sources.observation import observation_frame, observation_schema
from sources.payload import Part, Payload
from sources.source import SNAPSHOT_ROOT, YEARLY, Source

SOURCE_ID = "curated"
REQUIRED = [
    "indicator_id",
    "geo_id",
    "geo_level",
    "period",
    "value",
    "unit",
    "approximate",
    "publisher",
    "publication",
    "source_url",
    "as_of",
]
INDICATORS = {
    "qs_top100_universities": "count",
    "the_intl_student_share": "percent",
    "gfci_rank": "rank",
    "regional_headquarters": "count",
}


def files() -> list[str]:
    manifest = json.loads((SNAPSHOT_ROOT / SOURCE_ID / "manifest.json").read_text())
    return [part["file"] for part in manifest["parts"]]


def fetch(client: Client, base: str) -> list[Part]:
    return [client.get(f"{base}/{name}", expect="csv") for name in files()]


def parse(payload: Payload) -> pd.DataFrame:
    rows = []
    for part in payload.parts:
        try:
            text = part.body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(SOURCE_ID, part.url, f"not UTF-8: {exc.reason}", "body") from None
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(SOURCE_ID, part.url, "missing column(s)", ", ".join(missing))
        before = len(rows)
        for line, row in enumerate(reader, start=2):
            if not (row["publisher"] and row["publication"] and row["source_url"]):
                raise SourceError(
                    SOURCE_ID,
                    part.url,
                    f"row {line} has no provenance",
                    "publisher/publication/source_url",
                )
            try:
                value, period = float(row["value"]), int(row["period"])
            except (TypeError, ValueError):
                raise SourceError(
                    SOURCE_ID, part.url, f"row {line}: non-numeric value or period", "value/period"
                ) from None
            rows.append(
                {
                    "indicator_id": row["indicator_id"],
                    "geo_id": row["geo_id"],
                    "geo_level": row["geo_level"],
                    "period": period,
                    "value": value,
                    "unit": row["unit"],
                    "approximate": row["approximate"].strip().lower() == "true",
                }
            )
        if len(rows) == before:  # every curated file carries figures; an empty one lost them
            raise SourceError(SOURCE_ID, part.url, "no observations in this file", "rows")
    return observation_frame(rows, payload)


SOURCE = Source(
    id=SOURCE_ID,
    title="Curated publications",
    publisher="Named publishers per figure (QS, THE, Z/Yen GFCI, HKEX, C&SD, ...)",
    licence="Facts derived from the named publications; see each row's provenance",
    default_base_url="https://raw.githubusercontent.com/citydip/citydip/main/sources/snapshots/curated",
    cadence=YEARLY,
    indicators=INDICATORS,
    fetch=fetch,
    parse=parse,
    schema=observation_schema(
        SOURCE_ID,
        INDICATORS,
        geo_ids={c.city_id for c in load_cities()} | {c.country_iso3 for c in load_cities()},
    ),
    description="Figures typed or derived from named publications, each row with its provenance; "
    "typed figures are marked approximate.",
)
