"""Wikidata Query Service: sister cities (P190, both directions) and foreign missions per city.

Queries are POSTed (form-encoded, they are long) to the SPARQL endpoint with a descriptive
User-Agent and `Accept: application/sparql-results+json`; one query for twinnings and one per
mission type, run one after another as WDQS asks. A 200 whose JSON was cut by a server-side
`TimeoutException` is rejected. Cities come from the city seed by Wikidata id. A city with no
binding gets no observation (absence in Wikidata is not a count of zero). Licence CC0.

No real Wikidata result for these cities was available offline, so this source ships no
snapshot: in snapshot mode it loads nothing and keeps its last live rows (see its README).
"""

from __future__ import annotations

import json

import pandas as pd

from sources.cities import load_cities
from sources.errors import SourceError
from sources.http import Client
from sources.observation import observation_frame, observation_schema
from sources.payload import Part, Payload
from sources.source import MONTHLY, Source

SOURCE_ID = "wikidata"
ENTITY = "http://www.wikidata.org/entity/"
ACCEPT = "application/sparql-results+json"
MISSION_TYPES = {
    "Q3917681": "embassy",
    "Q7843791": "consulate",
    "Q372690": "consulate general",
}
INDICATORS = {"sister_cities": "count", "foreign_missions": "count"}


def city_ids() -> dict[str, str]:
    """Wikidata id -> city_id for every city in the seed."""
    return {city.wikidata_id: city.city_id for city in load_cities()}


def _values() -> str:
    return " ".join(f"wd:{qid}" for qid in city_ids())


def twins_query() -> str:
    return (
        "# citydip: sister cities\n"
        "SELECT DISTINCT ?city ?other WHERE {\n"
        f"  VALUES ?city {{ {_values()} }}\n"
        "  { ?city wdt:P190 ?other } UNION { ?other wdt:P190 ?city }\n"
        "}"
    )


def missions_query(mission_type: str) -> str:
    return (
        f"# citydip: foreign missions ({MISSION_TYPES[mission_type]})\n"
        "SELECT DISTINCT ?city ?other WHERE {\n"
        f"  VALUES ?city {{ {_values()} }}\n"
        f"  ?other wdt:P31/wdt:P279* wd:{mission_type} ;\n"
        "         wdt:P131* ?city .\n"
        "  FILTER NOT EXISTS { ?other wdt:P576 ?closed }\n"
        "}"
    )


def queries() -> list[tuple[str, str]]:
    """(indicator_id, SPARQL) in the order they are sent."""
    return [("sister_cities", twins_query())] + [
        ("foreign_missions", missions_query(t)) for t in MISSION_TYPES
    ]


def fetch(client: Client, base: str) -> list[Part]:
    parts = []
    for number, (_, sparql) in enumerate(queries(), start=1):
        client.check_page(number, base)
        parts.append(
            client.get(base, method="POST", data={"query": sparql}, headers={"Accept": ACCEPT})
        )
    return parts


def _bindings(part: Part) -> list[dict]:
    try:
        document = json.loads(part.body)
    except ValueError as exc:
        raise SourceError(SOURCE_ID, part.url, f"malformed JSON: {exc}", "body") from None
    try:
        variables = document["head"]["vars"]
        bindings = document["results"]["bindings"]
    except (KeyError, TypeError):
        raise SourceError(
            SOURCE_ID, part.url, "not SPARQL JSON results", "head.vars/results.bindings"
        ) from None
    missing = [v for v in ("city", "other") if v not in variables]
    if missing:
        raise SourceError(SOURCE_ID, part.url, f"variables {missing} not selected", "head.vars")
    return bindings


def parse(payload: Payload) -> pd.DataFrame:
    if len(payload.parts) != len(queries()):
        raise SourceError(
            SOURCE_ID,
            payload.parts[0].url if payload.parts else "",
            f"expected {len(queries())} query results, got {len(payload.parts)}",
            "body",
        )
    cities = city_ids()
    related: dict[tuple[str, str], set[str]] = {}
    for (indicator_id, _), part in zip(queries(), payload.parts, strict=True):
        for binding in _bindings(part):
            try:
                city_uri, other_uri = binding["city"]["value"], binding["other"]["value"]
            except (KeyError, TypeError):
                raise SourceError(
                    SOURCE_ID, part.url, f"binding without city/other: {binding}", "city/other"
                ) from None
            qid = city_uri.removeprefix(ENTITY)
            if qid not in cities:
                raise SourceError(SOURCE_ID, part.url, f"unknown city {city_uri!r}", "city")
            if not other_uri.startswith(ENTITY):
                raise SourceError(
                    SOURCE_ID, part.url, f"not a Wikidata item: {other_uri!r}", "other"
                )
            related.setdefault((indicator_id, cities[qid]), set()).add(other_uri)
    if not related:
        raise SourceError(
            SOURCE_ID, payload.parts[0].url, "every query came back empty", "bindings"
        )
    year = payload.fetched_at.year
    rows = [
        {
            "indicator_id": indicator_id,
            "geo_id": city_id,
            "geo_level": "city",
            "period": year,
            "value": float(len(others)),
            "unit": INDICATORS[indicator_id],
            "approximate": False,
        }
        for (indicator_id, city_id), others in sorted(related.items())
    ]
    return observation_frame(rows, payload)


SOURCE = Source(
    id=SOURCE_ID,
    title="Wikidata Query Service (sister cities and foreign missions)",
    publisher="Wikimedia Foundation, Wikidata",
    licence="CC0",
    default_base_url="https://query.wikidata.org/sparql",
    cadence=MONTHLY,
    indicators=INDICATORS,
    fetch=fetch,
    parse=parse,
    schema=observation_schema(SOURCE_ID, INDICATORS, geo_ids=set(city_ids().values())),
    max_pages=len(MISSION_TYPES) + 1,
    description="Distinct twinned bodies (P190 in either direction) and open embassies, "
    "consulates and consulates general located in each city (P131*), as Wikidata states them.",
)
