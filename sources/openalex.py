"""OpenAlex: research output and international co-authorship of each city's leading universities.

OpenAlex's `geo.city` is too unreliable to find a city's institutions (the University of Hong
Kong is in "Pok Fu Lam", and in 2024 the Chinese University of Hong Kong carried country code CN),
so the institutions are listed per city in `sources/openalex_institutions.csv`: every
education institution of a comparison city with more than 130,000 works in OpenAlex (Dec 2024),
by OpenAlex id and ROR. One cursor-paged request fetches them all (all-time works and
citations). A city of the seed the list was not compiled for is served by the same rule from the API:
the education institutions with more than 130,000 works (`DISCOVERY`, cursor-paged) whose
coordinates lie within `CAMPUS_RADIUS_KM` of the city's centre (the seed's latitude and
longitude), nearest city first; the list's rows are checked by hand, these are not. Then, per city, two counts of the last complete year's works (all, and those with
authors in more than one country, `countries_distinct_count:>1`) give the share of works
co-authored internationally. The polite pool is joined with `mailto` from
CITYDIP_OPENALEX_MAILTO. Licence CC0.
"""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from sources.cities import City, load_cities, nearest_within
from sources.errors import SourceError
from sources.http import Client
from sources.observation import json_document, observation_frame, observation_schema
from sources.payload import Part, Payload
from sources.source import YEARLY, Source

SOURCE_ID = "openalex"
INSTITUTIONS_FILE = Path(__file__).parent / "openalex_institutions.csv"
PER_PAGE = 200
FIELDS = {
    "works_count": ("research_works_leading_universities", "works"),
    "cited_by_count": ("research_citations_leading_universities", "citations"),
}
COAUTHORSHIP = ("research_international_coauthorship_share", "percent")
INTERNATIONAL = "countries_distinct_count:>1"
INDICATORS = {**dict(FIELDS.values()), COAUTHORSHIP[0]: COAUTHORSHIP[1]}
# The list's rule, asked of the API for the cities the list does not cover.
DISCOVERY = "type:education,works_count:>130000"
CAMPUS_RADIUS_KM = 40.0  # a metropolitan area's campuses, not the next city's
# The cities the list was compiled for (Dec 2024); Dubai had no institution above the line.
COMPILED_FOR = frozenset(
    {"hong-kong", "singapore", "tokyo", "seoul", "shanghai", "london", "paris", "new-york", "dubai"}
)


@cache
def institutions() -> dict[str, str]:
    """OpenAlex institution id (I...) -> city_id."""
    with INSTITUTIONS_FILE.open(newline="", encoding="utf-8") as handle:
        return {row["openalex_id"]: row["city_id"] for row in csv.DictReader(handle)}


def _polite(params: dict[str, str]) -> dict[str, str]:
    mailto = os.environ.get("CITYDIP_OPENALEX_MAILTO", "").strip()
    return {**params, "mailto": mailto} if mailto else params


def query(cursor: str, discover: bool = False) -> dict[str, str]:
    """A page of the listed institutions, or (`discover`) of those the list's rule finds."""
    return _polite(
        {
            "filter": DISCOVERY if discover else "openalex_id:" + "|".join(institutions()),
            "select": "id,display_name,works_count,cited_by_count" + (",geo" if discover else ""),
            "per-page": str(PER_PAGE),
            "cursor": cursor,
        }
    )


def unlisted_cities() -> list[City]:
    """The cities of the seed the institutions list was not compiled for."""
    return [city for city in load_cities() if city.city_id not in COMPILED_FOR]


def assignment(parts: list[Part]) -> dict[str, str]:
    """Institution id -> city_id: the list's rows, then each institution of the discovery pages
    within CAMPUS_RADIUS_KM of an unlisted city (the nearest one)."""
    assigned = dict(institutions())
    unlisted = unlisted_cities()
    for part in parts:
        if not _is_discovery(part):
            continue
        for record in _document(part)["results"]:
            short_id = str(record.get("id", "")).rsplit("/", 1)[-1]
            geo = record.get("geo") if isinstance(record.get("geo"), dict) else {}
            city = nearest_within(
                geo.get("latitude"), geo.get("longitude"), CAMPUS_RADIUS_KM, unlisted
            )
            if city is not None and short_id not in assigned:
                assigned[short_id] = city.city_id
    return assigned


def city_institutions(assigned: dict[str, str]) -> dict[str, list[str]]:
    """city_id -> its institution ids, in the order assigned."""
    grouped: dict[str, list[str]] = {}
    for institution_id, city_id in assigned.items():
        grouped.setdefault(city_id, []).append(institution_id)
    return grouped


def works_query(ids: list[str], year: int, international: bool) -> dict[str, str]:
    """Count (meta.count) of one year's works of these institutions, optionally international."""
    parts = [f"authorships.institutions.lineage:{'|'.join(ids)}", f"publication_year:{year}"]
    if international:
        parts.append(INTERNATIONAL)
    return _polite({"filter": ",".join(parts), "select": "id", "per-page": "1"})


def fetch(client: Client, base: str) -> list[Part]:
    """The listed institutions (and, for unlisted cities, the discovery pages), then two works
    counts per city."""
    url = f"{base}/institutions"
    parts = _pages(client, url, discover=False)
    if unlisted_cities():
        parts += _pages(client, url, discover=True, before=len(parts))
    year = datetime.now(UTC).year - 1  # the last complete year
    for ids in city_institutions(assignment(parts)).values():
        for international in (False, True):
            parts.append(client.get(f"{base}/works", params=works_query(ids, year, international)))
    return parts


def _pages(client: Client, url: str, discover: bool, before: int = 0) -> list[Part]:
    """Follow `meta.next_cursor` until it is null or a page comes back empty."""
    parts: list[Part] = []
    cursor: str | None = "*"
    while cursor:
        client.check_page(before + len(parts) + 1, url)
        part = client.get(url, params=query(cursor, discover))
        document = _document(part)
        parts.append(part)
        if not document["results"]:
            break
        cursor = document["meta"].get("next_cursor")
    return parts


def _document(part: Part) -> dict:
    document = json_document(SOURCE_ID, part)
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
    institution_parts = [p for p in payload.parts if not _is_works(p)]
    assigned = assignment(institution_parts)
    rows = _institution_rows(institution_parts, assigned, payload.fetched_at.year)
    rows += _coauthorship_rows([p for p in payload.parts if _is_works(p)], assigned)
    return observation_frame(rows, payload)


def _is_works(part: Part) -> bool:
    return urlsplit(part.url).path.endswith("/works")


def _is_discovery(part: Part) -> bool:
    return DISCOVERY in parse_qs(urlsplit(part.url).query).get("filter", [])


def _institution_rows(parts: list[Part], known: dict[str, str], year: int) -> list[dict]:
    totals: dict[str, dict[str, float]] = {}
    seen: set[str] = set()
    for part in parts:
        discovered = _is_discovery(part)
        for record in _document(part)["results"]:
            short_id = str(record.get("id", "")).rsplit("/", 1)[-1]
            if discovered and (short_id in institutions() or short_id not in known):
                continue  # a listed institution (counted from its own page), or near no city
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
        url = parts[0].url if parts else ""
        raise SourceError(SOURCE_ID, url, "no institutions returned", "results")
    return [
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


def _coauthorship_rows(parts: list[Part], known: dict[str, str]) -> list[dict]:
    """Share (%) of a year's works with authors in more than one country, per city."""
    counts: dict[tuple[str, int], dict[bool, int]] = {}
    for part in parts:
        city_id, year, international = _works_filter(part, known)
        count = _document(part)["meta"].get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise SourceError(SOURCE_ID, part.url, f"not a count: {count!r}", "meta.count")
        counts.setdefault((city_id, year), {})[international] = count
    rows = []
    for (city_id, year), pair in sorted(counts.items()):
        url = next(p.url for p in parts if _works_filter(p, known)[:2] == (city_id, year))
        if set(pair) != {False, True}:
            raise SourceError(SOURCE_ID, url, f"{city_id} {year}: need both counts", "meta.count")
        if pair[False] == 0 or pair[True] > pair[False]:
            raise SourceError(
                SOURCE_ID,
                url,
                f"{city_id} {year}: {pair[True]} international of {pair[False]} works",
                "meta.count",
            )
        rows.append(
            {
                "indicator_id": COAUTHORSHIP[0],
                "geo_id": city_id,
                "geo_level": "city",
                "period": year,
                "value": 100.0 * pair[True] / pair[False],
                "unit": COAUTHORSHIP[1],
                "approximate": False,
            }
        )
    return rows


def _works_filter(part: Part, known: dict[str, str]) -> tuple[str, int, bool]:
    """(city_id, year, international) named by a /works request's filter."""
    text = ",".join(parse_qs(urlsplit(part.url).query).get("filter", []))
    terms = dict(term.split(":", 1) for term in text.split(",") if ":" in term)
    ids = terms.get("authorships.institutions.lineage", "").split("|")
    cities = {known.get(i) for i in ids}
    if len(cities) != 1 or None in cities or not terms.get("publication_year", "").isdigit():
        raise SourceError(SOURCE_ID, part.url, f"unexpected works filter {text!r}", "filter")
    return cities.pop(), int(terms["publication_year"]), INTERNATIONAL in text.split(",")


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
    schema=observation_schema(
        SOURCE_ID,
        INDICATORS,
        geo_ids={c.city_id for c in load_cities()} | set(institutions().values()),
    ),
    max_pages=20,  # institution pages; the per-city works counts are one request each
    description="All-time works and citations of each city's universities with more than "
    "130,000 OpenAlex works (listed in sources/openalex_institutions.csv; for a city not listed, "
    "those within 40 km of its centre), as of the fetch, and "
    "the share of their last complete year's works co-authored across countries.",
)
