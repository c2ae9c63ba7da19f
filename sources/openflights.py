"""OpenFlights: international routes and destination countries served from each city's airports.

Files: airports.dat and routes.dat (CSV, no header, `\\N` for NULL) from the OpenFlights data
repository. The route database stopped updating in June 2014, so every figure is for 2014.
Licence ODbL 1.0 (database) and DbCL 1.0 (contents): attribute OpenFlights, share alike.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pandas as pd

from sources.cities import load_cities
from sources.errors import SourceError
from sources.http import Client
from sources.observation import observation_frame, observation_schema
from sources.payload import Part, Payload
from sources.source import YEARLY, Source

SOURCE_ID = "openflights"
ROUTES_AS_OF = 2014  # "As of June 2014" per openflights.org/data.php
FILES = ("airports.dat", "routes.dat")
AIRPORT_COLUMNS = (
    14  # ID, Name, City, Country, IATA, ICAO, Lat, Lon, Alt, TZ, DST, Tz, Type, Source
)
ROUTE_COLUMNS = 9  # Airline, AirlineID, Src, SrcID, Dst, DstID, Codeshare, Stops, Equipment
NULL = "\\N"
INDICATORS = {
    "intl_route_destinations": "count",
    "intl_destination_countries": "count",
}


def fetch(client: Client, base: str) -> list[Part]:
    return [_as_dat(client.get(f"{base}/{name}", expect="csv")) for name in FILES]


def _as_dat(part: Part) -> Part:
    return part.with_suffix("dat")


def _part(payload: Payload, name: str) -> Part:
    for part in payload.parts:
        if part.url.split("?")[0].endswith(name):
            return part
    raise SourceError(SOURCE_ID, payload.parts[0].url, f"no {name} in the payload", name)


def _records(part: Part, width: int) -> Iterator[tuple[int, list[str]]]:
    try:
        text = part.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(SOURCE_ID, part.url, f"not UTF-8: {exc.reason}", "body") from None
    if not text.strip():
        raise SourceError(SOURCE_ID, part.url, "empty file", "body")
    for line, fields in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not fields:
            continue
        if len(fields) != width:
            raise SourceError(
                SOURCE_ID,
                part.url,
                f"line {line} has {len(fields)} columns, expected {width} (truncated or reshaped?)",
                "columns",
            )
        yield line, fields


def _airports(part: Part) -> tuple[dict[str, dict], dict[str, dict]]:
    """Airports by OpenFlights ID and by IATA code."""
    by_id: dict[str, dict] = {}
    by_iata: dict[str, dict] = {}
    for line, fields in _records(part, AIRPORT_COLUMNS):
        airport_id, country, iata = fields[0], fields[3], fields[4]
        if not airport_id.isdigit():
            raise SourceError(
                SOURCE_ID, part.url, f"line {line}: non-numeric airport ID {airport_id!r}", "ID"
            )
        if airport_id in by_id:
            raise SourceError(
                SOURCE_ID, part.url, f"line {line}: duplicate airport ID {airport_id}", "ID"
            )
        if not country or country == NULL:
            raise SourceError(
                SOURCE_ID, part.url, f"line {line}: airport without country", "Country"
            )
        airport = {"id": airport_id, "country": country, "iata": iata}
        by_id[airport_id] = airport
        if iata and iata != NULL:
            by_iata[iata] = airport
    return by_id, by_iata


def parse(payload: Payload) -> pd.DataFrame:
    airports_part, routes_part = _part(payload, "airports.dat"), _part(payload, "routes.dat")
    by_id, by_iata = _airports(airports_part)
    city_of: dict[str, str] = {}
    for city in load_cities():
        for code in city.iata_codes:
            if code not in by_iata:
                raise SourceError(
                    SOURCE_ID,
                    airports_part.url,
                    f"airport {code} of {city.city_id} is not in airports.dat",
                    "IATA",
                )
            city_of[code] = city.city_id
    destinations: dict[str, set[str]] = {c.city_id: set() for c in load_cities()}
    countries: dict[str, set[str]] = {c.city_id: set() for c in load_cities()}
    routes = 0
    for line, fields in _records(routes_part, ROUTE_COLUMNS):
        routes += 1
        src, dst, dst_id = fields[2], fields[4], fields[5]
        if src not in city_of:
            continue
        if dst_id != NULL and not dst_id.isdigit():
            raise SourceError(
                SOURCE_ID, routes_part.url, f"line {line}: non-numeric DstID {dst_id!r}", "DstID"
            )
        destination = by_id.get(dst_id) or by_iata.get(dst)
        if destination is None:
            continue  # OpenFlights lists a few routes to airports missing from airports.dat
        if destination["country"] != by_iata[src]["country"]:
            destinations[city_of[src]].add(destination["id"])
            countries[city_of[src]].add(destination["country"])
    if not routes:
        raise SourceError(SOURCE_ID, routes_part.url, "no routes", "body")
    rows = []
    for city_id in destinations:
        for indicator_id, values in (
            ("intl_route_destinations", destinations[city_id]),
            ("intl_destination_countries", countries[city_id]),
        ):
            rows.append(
                {
                    "indicator_id": indicator_id,
                    "geo_id": city_id,
                    "geo_level": "city",
                    "period": ROUTES_AS_OF,
                    "value": float(len(values)),
                    "unit": "count",
                    "approximate": False,
                }
            )
    if not any(destinations.values()):
        raise SourceError(
            SOURCE_ID, routes_part.url, "no international route from any city's airports", "Src"
        )
    return observation_frame(rows, payload)


SOURCE = Source(
    id=SOURCE_ID,
    title="OpenFlights airports and routes",
    publisher="OpenFlights.org (routes from Airline Route Mapper, airports from OurAirports)",
    licence="ODbL 1.0 / DbCL 1.0 — attribution to OpenFlights, share-alike",
    default_base_url="https://raw.githubusercontent.com/jpatokal/openflights/master/data",
    cadence=YEARLY,
    indicators=INDICATORS,
    fetch=fetch,
    parse=parse,
    schema=observation_schema(SOURCE_ID, INDICATORS, geo_ids={c.city_id for c in load_cities()}),
    description="Distinct foreign destination airports and countries served by direct routes "
    "from each city's airports, as of June 2014 (OpenFlights stopped updating routes then).",
)
