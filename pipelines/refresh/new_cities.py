"""After a refresh: what the sources hold for each city new to the edition or left unscored.

A city is one row in `dbt_project/seeds/cities.csv`; the sources derive their requests from the
seed where their API allows (World Bank and Comtrade by its country, OpenFlights by its airports,
Wikidata by its item and centre, OpenAlex by its centre, sistercity.info by its name), the curated snapshots hold only the cities they were built
for. The refresh prints one line per source without data for such a city, with the reason, and
the city's own line: scored, or unscored and why (dim_city.unscored_reason).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# Sources that can never hold a figure for another city, and why.
ONE_CITY_ONLY = {
    "hk_immigration": "publishes Hong Kong's arrivals only",
    "singstat": "publishes Singapore's arrivals only",
    "regional_hq": "only Hong Kong and Singapore publish regional-headquarters counts",
}
# Sources whose live request is derived from the seed row (so a live refresh can add the city).
SEED_DRIVEN = {"worldbank", "comtrade", "openflights", "wikidata", "openalex", "sistercity"}


def city_ids(published: Path) -> set[str] | None:
    """The cities of the published edition, or None when there is none yet."""
    if not published.exists():
        return None
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            return {c for (c,) in con.execute("select city_id from dim_city").fetchall()}
    except duckdb.Error:
        return None


def reason(source_id: str, is_live: bool) -> str:
    if source_id in ONE_CITY_ONLY:
        return ONE_CITY_ONLY[source_id]
    if is_live:
        return "fetched live: the provider returned no figure for it"
    hint = (
        f"; `citydip refresh --live --select {source_id}` asks the provider for it"
        if source_id in SEED_DRIVEN
        else "; its figures must be added to the snapshot's inputs (its README says how)"
    )
    return f"its offline snapshot (sources/snapshots/{source_id}/) has no figure for it{hint}"


def report(published: Path, before: set[str] | None, is_live) -> list[str]:
    """One line per source without data for each new or unscored city, then the city's status.
    `before`: the cities of the edition published before this refresh; `is_live(source_id)`."""
    if not published.exists():
        return []
    with duckdb.connect(str(published), read_only=True) as con:
        columns = {
            c
            for (c,) in con.execute(
                "select column_name from duckdb_columns() where table_name = 'dim_city'"
            ).fetchall()
        }
        if "is_scored" not in columns:
            return []
        cities = con.execute(
            "select city_id, city_name, country_iso3, is_scored, unscored_reason "
            "from dim_city order by city_id"
        ).fetchall()
        sources = [
            s
            for (s,) in con.execute(
                "select distinct source_id from fct_observation order by source_id"
            ).fetchall()
        ]
        held = set(con.execute("select distinct source_id, geo_id from fct_observation").fetchall())
    lines = []
    for city_id, name, country, scored, why in cities:
        if scored and (before is None or city_id in before):
            continue  # a city of the last edition, scored as before
        for source_id in sources:
            if (source_id, city_id) in held or (source_id, country) in held:
                continue
            lines.append(
                f"{name}: no data from {source_id}: {reason(source_id, is_live(source_id))}"
            )
        lines.append(f"{name}: " + ("scored" if scored else f"not scored: {why}"))
    return lines
