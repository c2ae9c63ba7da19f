"""The comparison set: one row per city in dbt_project/seeds/cities.csv (the single list)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CITIES_SEED = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "cities.csv"


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
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(
            City(
                city_id=row["city_id"],
                city_name=row["city_name"],
                country_iso3=row["country_iso3"],
                wikidata_id=row["wikidata_id"],
                iata_codes=tuple(code for code in row["iata_codes"].split() if code),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
            for row in csv.DictReader(handle)
        )


def country_codes() -> list[str]:
    """ISO3 codes of the cities' countries, in seed order, without repeats."""
    return list(dict.fromkeys(city.country_iso3 for city in load_cities()))
