"""OpenAlex: research output of each city's leading universities (works and citations).

OpenAlex's `geo.city` is too unreliable to find a city's institutions (the University of Hong
Kong is in "Pok Fu Lam", and in 2024 the Chinese University of Hong Kong carried country code CN),
so the institutions are listed per city in `sources/openalex_institutions.csv`: every
education institution of a comparison city with more than 130,000 works in OpenAlex (Dec 2024),
by OpenAlex id and ROR. One cursor-paged request fetches them all; the polite pool is joined
with `mailto` from CITYDIP_OPENALEX_MAILTO. Licence CC0.
"""

from __future__ import annotations

import csv
import json
import os
from functools import cache
from pathlib import Path

import pandas as pd

from sources.errors import SourceError
from sources.http import Client
from sources.observation import observation_frame, observation_schema
from sources.payload import Part, Payload
from sources.source import YEARLY, Source

SOURCE_ID = "openalex"
INSTITUTIONS_FILE = Path(__file__).parent / "openalex_institutions.csv"
PER_PAGE = 200
FIELDS = {
    "works_count": ("research_works_leading_universities", "works"),
    "cited_by_count": ("research_citations_leading_universities", "citations"),
}
INDICATORS = dict(FIELDS.values())


@cache
def institutions() -> dict[str, str]:
    """OpenAlex institution id (I...) -> city_id."""
    with INSTITUTIONS_FILE.open(newline="", encoding="utf-8") as handle:
        return {row["openalex_id"]: row["city_id"] for row in csv.DictReader(handle)}


def query(cursor: str) -> dict[str, str]:
    params = {
        "filter": "openalex_id:" + "|".join(institutions()),
        "select": "id,display_name,works_count,cited_by_count",
        "per-page": str(PER_PAGE),
        "cursor": cursor,
    }
    mailto = os.environ.get("CITYDIP_OPENALEX_MAILTO", "").strip()
    if mailto:
        params["mailto"] = mailto
    return params


def fetch(client: Client, base: str) -> list[Part]:
    """Follow `meta.next_cursor` until it is null or a page comes back empty."""
    url = f"{base}/institutions"
    parts: list[Part] = []
    cursor: str | None = "*"
    while cursor:
        client.check_page(len(parts) + 1, url)
        part = client.get(url, params=query(cursor))
        document = _document(part)
        parts.append(part)
        if not document["results"]:
            break
        cursor = document["meta"].get("next_cursor")
    return parts


def _document(part: Part) -> dict:
    try:
        document = json.loads(part.body)
    except ValueError as exc:
        raise SourceError(SOURCE_ID, part.url, f"malformed JSON: {exc}", "body") from None
    if not isinstance(document, dict):
        raise SourceError(SOURCE_ID, part.url, "expected a JSON object", "body")
    if "error" in document:
        raise SourceError(
            SOURCE_ID,
            part.url,
            f"provider error: {document.get('error')} {document.get('message', '')}".strip(),
            "error",
        )
    if not isinstance(document.get("meta"), dict) or not isinstance(document.get("results"), list):
        raise SourceError(SOURCE_ID, part.url, "expected `meta` and `results`", "meta/results")
    return document


def parse(payload: Payload) -> pd.DataFrame:
    known = institutions()
    totals: dict[str, dict[str, float]] = {}
    seen: set[str] = set()
    for part in payload.parts:
        for record in _document(part)["results"]:
            short_id = str(record.get("id", "")).rsplit("/", 1)[-1]
            if short_id not in known:
                raise SourceError(
                    SOURCE_ID, part.url, f"unknown institution {record.get('id')!r}", "id"
                )
            if short_id in seen:
                raise SourceError(SOURCE_ID, part.url, f"duplicate institution {short_id}", "id")
            seen.add(short_id)
            city = totals.setdefault(known[short_id], dict.fromkeys(FIELDS, 0.0))
            for field in FIELDS:
                if field not in record:
                    raise SourceError(SOURCE_ID, part.url, f"{short_id} lacks {field}", field)
                value = record[field]
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise SourceError(
                        SOURCE_ID, part.url, f"{short_id}: non-numeric {value!r}", field
                    )
                city[field] += value
    if not totals:
        raise SourceError(SOURCE_ID, payload.parts[0].url, "no institutions returned", "results")
    year = payload.fetched_at.year
    rows = [
        {
            "indicator_id": FIELDS[field][0],
            "geo_id": city_id,
            "geo_level": "city",
            "period": year,
            "value": value,
            "unit": FIELDS[field][1],
            "approximate": False,
        }
        for city_id, values in totals.items()
        for field, value in values.items()
    ]
    return observation_frame(rows, payload)


SOURCE = Source(
    id=SOURCE_ID,
    title="OpenAlex (research output of each city's leading universities)",
    publisher="OurResearch, OpenAlex",
    licence="CC0",
    default_base_url="https://api.openalex.org",
    cadence=YEARLY,
    indicators=INDICATORS,
    fetch=fetch,
    parse=parse,
    schema=observation_schema(SOURCE_ID, INDICATORS, geo_ids=set(institutions().values())),
    max_pages=20,
    description="All-time works and citations of each city's universities with more than "
    "130,000 OpenAlex works (listed in sources/openalex_institutions.csv), as of the fetch.",
)
