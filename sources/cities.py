"""The comparison set: one row per city in dbt_project/seeds/cities.csv (the single list)."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CITIES_SEED = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "cities.csv"
COLUMNS = (
    "city_id",
    "city_name",
    "country_iso3",
    "is_city_state",
    "wikidata_id",
    "iata_codes",
    "latitude",
    "longitude",
)
# column -> (pattern the text must match, what it should be)
FORMATS = {
    "city_id": (r"[a-z0-9]+(-[a-z0-9]+)*", "a lower-case slug such as new-york"),
    "city_name": (r"\S.*", "a name"),
    "country_iso3": (r"[A-Z]{3}", "an ISO 3166 alpha-3 code such as AUS"),
    "is_city_state": (r"true|false", "true or false"),
    "wikidata_id": (r"Q[0-9]+", "a Wikidata item such as Q3130"),
    "iata_codes": (r"([A-Z]{3})?( [A-Z]{3})*", "space-separated IATA codes such as SYD"),
}
RANGES = {"latitude": 90.0, "longitude": 180.0}


class SeedError(ValueError):
    """A row of the city seed citydip cannot use; the message names file, line and column."""

    def __init__(self, path: Path, line: int, column: str, problem: str) -> None:
        self.path, self.line, self.column = path, line, column
        super().__init__(f"{_shown(path)}, line {line}, column {column}: {problem}")


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(CITIES_SEED.parents[2]).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class City:
    city_id: str
    city_name: str
    country_iso3: str
    wikidata_id: str
    iata_codes: tuple[str, ...]
    latitude: float
    longitude: float  # city centre (Wikidata P625), for radius measures


@cache
def load_cities(path: Path = CITIES_SEED) -> tuple[City, ...]:
    """Every row of the seed, checked: a row missing a column, with an extra field or a value
    of the wrong form raises SeedError naming the file, the line and the column."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        for column in COLUMNS:
            if column not in header:
                raise SeedError(path, 1, column, "missing from the header")
        cities, seen = [], {}
        for row in reader:
            cities.append(_city(row, path, reader.line_num, seen))
    return tuple(cities)


def _city(row: dict, path: Path, line: int, seen: dict[str, int]) -> City:
    if None in row:
        raise SeedError(path, line, "(after longitude)", f"{len(row[None])} field(s) too many")
    for column in COLUMNS:
        value = row.get(column)
        if value is None:
            present = sum(row.get(c) is not None for c in COLUMNS)
            raise SeedError(
                path, line, column, f"missing (the row has {present} of {len(COLUMNS)} fields)"
            )
        if column in FORMATS:
            pattern, wanted = FORMATS[column]
            if not re.fullmatch(pattern, value.strip()):
                raise SeedError(path, line, column, f"{value!r} is not {wanted}")
    numbers = {}
    for column, bound in RANGES.items():
        try:
            numbers[column] = float(row[column])
        except ValueError:
            numbers[column] = None
        if numbers[column] is None or not -bound <= numbers[column] <= bound:
            raise SeedError(path, line, column, f"{row[column]!r} is not a number in ±{bound:g}")
    city_id = row["city_id"].strip()
    if city_id in seen:
        raise SeedError(path, line, "city_id", f"{city_id!r} repeats line {seen[city_id]}")
    seen[city_id] = line
    return City(
        city_id=city_id,
        city_name=row["city_name"].strip(),
        country_iso3=row["country_iso3"].strip(),
        wikidata_id=row["wikidata_id"].strip(),
        iata_codes=tuple(code for code in row["iata_codes"].split() if code),
        latitude=numbers["latitude"],
        longitude=numbers["longitude"],
    )


def country_codes() -> list[str]:
    """ISO3 codes of the cities' countries, in seed order, without repeats."""
    return list(dict.fromkeys(city.country_iso3 for city in load_cities()))


EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def nearest_within(
    latitude, longitude, radius_km: float, cities: Iterable[City] | None = None
) -> City | None:
    """The city (of `cities`, else of the seed) whose centre is nearest to the point, if within
    the radius; None for a point without coordinates or no city."""
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    near = [
        (distance_km(lat, lon, c.latitude, c.longitude), c.city_id, c)
        for c in (load_cities() if cities is None else cities)
    ]
    if not near:
        return None
    distance, _, city = min(near)
    return city if distance <= radius_km else None
