"""sistercity.info (third-party scrape): partner towns listed on each city's own page.

A FALLBACK for Wikidata's P190, not a replacement: the list is a scrape of en.sistercity.info
published as `sister_cities.csv` in github.com/pnadelofficial/sis-cities (no licence stated,
scrape date not recorded, sister-city, partner-city and friendship agreements not
distinguished). Every observation is therefore marked approximate, and the indicator is not
scored. A city counts the distinct partners listed on its own page (name and country must match);
a city without a page of its own (Hong Kong) gets no observation rather than a misleading count.
A city added to the seed is matched by its name when exactly one page (one country) has it;
`PAGES` names the pages checked by hand.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from sources.cities import load_cities
from sources.errors import SourceError
from sources.http import Client
from sources.observation import observation_frame, observation_schema
from sources.payload import Part, Payload
from sources.source import YEARLY, Source

SOURCE_ID = "sistercity"
FILE = "sister_cities.csv"
COMMIT = "7143b569c2adc2eaaf5b09ee111dfccd64606b1c"
PERIOD = 2025  # the file's commit date (2025-06-30); the scrape itself is undated
INDICATORS = {"sister_cities_sistercity_info": "count"}
REQUIRED = ("country", "city", "sister")
# city_id -> (page name, page country) on sistercity.info, checked by hand
PAGES = {
    "hong-kong": ("Hong Kong", "China"),
    "singapore": ("Singapore", "Singapore"),
    "tokyo": ("Tokyo", "Japan"),
    "seoul": ("Seoul", "South Korea"),
    "shanghai": ("Shanghai", "China"),
    "london": ("London", "United Kingdom"),
    "paris": ("Paris", "France"),
    "new-york": ("New York City", "United States"),
    "dubai": ("Dubai", "United Arab Emirates"),
}


def fetch(client: Client, base: str) -> list[Part]:
    return [client.get(f"{base}/{FILE}", expect="csv")]


def parse(payload: Payload) -> pd.DataFrame:
    listed = [row for part in payload.parts for row in _rows(part)]
    pages = city_pages({(city, country) for city, country, _ in listed})
    partners: dict[str, set[str]] = {}
    for city, country, sister in listed:
        city_id = pages.get((city, country))
        if city_id and sister:
            partners.setdefault(city_id, set()).add(sister)
    if not partners:
        raise SourceError(SOURCE_ID, payload.parts[0].url, "no page of any comparison city", "city")
    rows = [
        {
            "indicator_id": "sister_cities_sistercity_info",
            "geo_id": city_id,
            "geo_level": "city",
            "period": PERIOD,
            "value": float(len(names)),
            "unit": "count",
            "approximate": True,
        }
        for city_id, names in sorted(partners.items())
    ]
    return observation_frame(rows, payload)


def _rows(part: Part) -> list[tuple[str, str, str]]:
    """(page name, page country, partner) of each row of the CSV."""
    try:
        text = part.body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(SOURCE_ID, part.url, f"not UTF-8: {exc.reason}", "body") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise SourceError(SOURCE_ID, part.url, "missing column(s)", ", ".join(missing))
    rows = []
    for line, row in enumerate(reader, start=2):
        if None in row or any(row[c] is None for c in REQUIRED):
            raise SourceError(SOURCE_ID, part.url, f"row {line} is malformed", "row")
        rows.append((row["city"].strip(), row["country"].strip(), row["sister"].strip()))
    return rows


def city_pages(listed: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(page name, page country) -> city_id for each city of the seed: its page in PAGES, else
    the one page named like the city (a name with pages in several countries matches none)."""
    countries: dict[str, set[str]] = {}
    for name, country in listed:
        countries.setdefault(name, set()).add(country)
    pages = {}
    for city in load_cities():
        if city.city_id in PAGES:
            pages[PAGES[city.city_id]] = city.city_id
        elif len(countries.get(city.city_name, ())) == 1:
            pages[(city.city_name, *countries[city.city_name])] = city.city_id
    return pages


SOURCE = Source(
    id=SOURCE_ID,
    title="sistercity.info scrape (fallback for sister cities; unverified)",
    publisher="sistercity.info via github.com/pnadelofficial/sis-cities (third party)",
    licence="None stated; third-party scrape, unverified",
    default_base_url=f"https://raw.githubusercontent.com/pnadelofficial/sis-cities/{COMMIT}",
    cadence=YEARLY,
    indicators=INDICATORS,
    fetch=fetch,
    parse=parse,
    schema=observation_schema(SOURCE_ID, INDICATORS, geo_ids={c.city_id for c in load_cities()}),
    max_pages=1,
    description="Distinct partner towns on each city's own sistercity.info page; approximate, "
    "unverified, not scored. Wikidata P190 is the primary source.",
)
