"""A deterministic synthetic panel for the scale benchmark: N cities x M indicators x Y years.

Everything here is synthetic and labelled so (ids `syn-...`, country `ZZZ`, description
"synthetic benchmark data"); it is written only under bench/out/ and never shipped or published.
Values come from an integer hash of (seed, city, indicator, year), so the same arguments give the
same panel on every machine, in any thread count.

It is loaded through the same raw-table contract the pipeline loads: one table
raw.<source>_observations per source the dbt project reads (its `raw` sources), with the
indicators dealt out over the sources, plus the seeds `cities` and `indicators` written with the
real seed files' headers (pillars and any other seed are the real ones).
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.measure import REPO

DBT_PROJECT = REPO / "dbt_project"
SEED = 20261125
FIRST_YEAR = 1996


@dataclass(frozen=True)
class Panel:
    cities: int
    indicators: int
    years: int
    seed: int = SEED

    @property
    def observations(self) -> int:
        return self.cities * self.indicators * self.years

    @property
    def last_year(self) -> int:
        return FIRST_YEAR + self.years - 1


def pillar_keys(seed: Path = DBT_PROJECT / "seeds" / "pillars.csv") -> list[str]:
    """The real pillars (seed `pillars`), which the synthetic indicators are dealt out over."""
    with seed.open(newline="", encoding="utf-8") as handle:
        return [row["pillar"] for row in csv.DictReader(handle)]


def raw_tables(manifest_path: Path = DBT_PROJECT / "target" / "manifest.json") -> list[str]:
    """The raw.<source>_observations tables the dbt project reads, from its manifest."""
    manifest = json.loads(manifest_path.read_text())
    return sorted(
        s["name"]
        for s in manifest["sources"].values()
        if s["source_name"] == "raw" and s["name"].endswith("_observations")
    )


def write_project(panel: Panel, project: Path, tables: list[str]) -> None:
    """A copy of the dbt project whose models, macros and tests are the real files (symlinks)
    and whose seeds `cities` and `indicators` are the synthetic ones."""
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    for name in ("models", "macros", "tests", "dbt_project.yml", "profiles.yml"):
        (project / name).symlink_to(DBT_PROJECT / name)
    seeds = project / "seeds"
    seeds.mkdir()
    for real in (DBT_PROJECT / "seeds").iterdir():
        if real.name not in ("cities.csv", "indicators.csv"):
            shutil.copy(real, seeds / real.name)
    sources = [t.removesuffix("_observations") for t in tables]
    pillars = pillar_keys()
    _write_seed(
        DBT_PROJECT / "seeds" / "cities.csv",
        seeds / "cities.csv",
        (
            {
                "city_id": city_id(c),
                "city_name": f"Synthetic city {c}",
                "country_iso3": "ZZZ",
                "is_city_state": "false",
                "wikidata_id": "",
                "iata_codes": "",
            }
            for c in range(panel.cities)
        ),
    )
    _write_seed(
        DBT_PROJECT / "seeds" / "indicators.csv",
        seeds / "indicators.csv",
        (
            {
                "indicator_id": indicator_id(i),
                "name": f"Synthetic indicator {i}",
                "pillar": pillars[i % len(pillars)],
                "unit": "index",
                "direction": "lower" if i % 5 == 4 else "higher",
                "weight": str(1 + i % 3),
                "source_id": sources[i % len(sources)],
                "description": "synthetic benchmark data",
                "denominator": "",  # values are already comparable: no per-capita division
            }
            for i in range(panel.indicators)
        ),
    )


def city_id(c: int) -> str:
    return f"syn-c{c:05d}"


def indicator_id(i: int) -> str:
    return f"syn_i{i:03d}"


def _write_seed(real: Path, target: Path, rows) -> None:
    """Write rows under the real seed's header; a column this generator does not know takes the
    real seed's first value, so the benchmark keeps working when a seed gains a column."""
    with real.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        first = next(reader)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, first[column]) for column in header})


def load_raw(panel: Panel, database: Path, tables: list[str]) -> None:
    """Create raw.<source>_observations in `database` (the observation contract's columns)."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database)) as con:
        con.execute("set preserve_insertion_order = false")
        con.execute("create schema if not exists raw")
        for k, table in enumerate(tables):
            source = table.removesuffix("_observations")
            con.execute(
                f"""
                create or replace table raw.{table} as
                with cells as (
                    select c, i, y,
                           xor(xor(xor(c * 73856093, i * 19349663), y * 83492791), {panel.seed})
                               % 1000003 as h
                    from range({panel.cities}) t(c), range({panel.indicators}) u(i),
                         range({panel.years}) v(y)
                    where i % {len(tables)} = {k}
                )
                select
                    '{source}' as source_id,
                    printf('syn_i%03d', i) as indicator_id,
                    printf('syn-c%05d', c) as geo_id,
                    'city' as geo_level,
                    cast({FIRST_YEAR} + y as bigint) as period,
                    100.0 + (c % 97) + 0.5 * y + (h * 2654435761 % 4294967296) / 42949672.96
                        as value,
                    'index' as unit,
                    timestamptz '2026-01-01 00:00:00+00' as fetched_at,
                    'synthetic-{panel.seed}' as payload_sha256,
                    false as approximate
                from cells
                """
            )
