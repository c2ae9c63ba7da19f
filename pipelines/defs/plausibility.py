"""Plausibility beyond the schema: non-blocking checks that warn, never stop the refresh.

A value can pass the contract (and its indicator's hard bounds in the registry) and still be
wrong: a unit slip (thousands for persons), a provider restating a series, a country vanishing
from a response. Three warnings per source, each comparing the rows just loaded
(raw.<source>_observations) with the series' own history and with the rows they replaced
(previous.<source>_observations, kept by the load; the last published edition's data):

- `plausible_year_on_year`: between two consecutive years of one indicator and geography the
  value changes by more than the indicator's `max_yearly_factor` (up or down), e.g. population
  x1.1; the years of the previous load the new rows lack count as history;
- `plausible_revision`: the value of one indicator, geography and year differs from the previous
  load's by more than the indicator's `max_revision_factor`: a unit change (x1000) in one year,
  in every year or for one geography;
- `no_dropped_geographies`: a geography the previous load had for an indicator is missing.

The factors are in the indicator registry (dbt_project/seeds/indicators.csv, read by
sources/registry.py). All three are `WARN` asset checks on `raw/<source>_observations` that read
the loaded tables, never the payload or the published file: the refresh publishes, and
`citydip refresh` prints the warnings, naming the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.defs.source_assets import WAREHOUSE_POOL, skipped_offline, table_exists
from pipelines.read.city_card import has_relation
from pipelines.read.reader import open_published
from pipelines.settings import Settings
from pipelines.sql import sql_identifier
from sources.registry import indicator_bounds
from sources.source import Source

KEY = ["indicator_id", "geo_id"]
COLUMNS = [*KEY, "period", "value"]
DTYPES = ["object", "object", "int64", "float64"]
NOTHING_LANDED = "no payload of {} landed: nothing new to check"


def bound(indicator_id: str, name: str) -> float:
    """The registry's factor `name` of an indicator; NaN when it is not checked."""
    bounds = indicator_bounds().get(indicator_id)
    return getattr(bounds, name) if bounds else float("nan")


def factor(a: pd.Series, b: pd.Series) -> pd.Series:
    """How many times one value is the other, either way; NaN where either is zero or missing."""
    a, b = a.abs(), b.abs()
    ratio = (a / b).where((a > 0) & (b > 0))
    return pd.Series(np.fmax(ratio, 1 / ratio), index=ratio.index)


def year_on_year_jumps(frame: pd.DataFrame, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Consecutive years of one series whose values differ beyond the indicator's
    `max_yearly_factor`. The series is the new rows plus the previous load's rows for years they
    lack; a jump between two previous rows is not new and is not reported."""
    new = frame[COLUMNS].assign(is_new=True)
    history = pd.concat(
        [new, _only_in(previous, frame).assign(is_new=False)] if previous is not None else [new]
    )
    ordered = history.sort_values([*KEY, "period"])
    grouped = ordered.groupby(KEY)
    ordered = ordered.assign(
        previous=grouped["value"].shift(),
        previous_period=grouped["period"].shift(),
        previous_is_new=grouped["is_new"].shift(fill_value=False),
    )
    ordered["bound"] = [bound(i, "max_yearly_factor") for i in ordered["indicator_id"]]
    ordered["factor"] = factor(ordered["value"], ordered["previous"])
    jumps = ordered[
        (ordered["period"] - ordered["previous_period"] == 1)
        & (ordered["is_new"] | ordered["previous_is_new"])
        & (ordered["factor"] > ordered["bound"])
    ]
    return jumps[[*KEY, "previous_period", "period", "previous", "value", "factor", "bound"]]


def revisions(
    frame: pd.DataFrame, previous: pd.DataFrame, bound_name: str = "max_revision_factor"
) -> pd.DataFrame:
    """Values of the same indicator, geography and year as the previous load's, differing beyond
    the indicator's `max_revision_factor` (or the factor `bound_name`)."""
    both = frame[COLUMNS].merge(
        previous[COLUMNS].rename(columns={"value": "previous"}), on=[*KEY, "period"]
    )
    both["bound"] = [bound(i, bound_name) for i in both["indicator_id"]]
    both["factor"] = factor(both["value"], both["previous"])
    revised = both[both["factor"] > both["bound"]].sort_values([*KEY, "period"])
    return revised[[*KEY, "period", "previous", "value", "factor", "bound"]]


def absurd_revisions(frame: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Values differing from the published value of the same indicator, geography and year
    beyond the indicator's hard `hard_revision_factor`: these block the load."""
    return revisions(frame, published, "hard_revision_factor")


def published_rows(published_db: Path, source_id: str) -> pd.DataFrame:
    """The source's observations in the published warehouse (none before the first publish)."""
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(COLUMNS, DTYPES, strict=True)})
    if not published_db.exists():
        return empty
    with open_published(published_db) as con:
        if not has_relation(con, "fct_observation"):
            return empty
        return con.execute(
            f"select {', '.join(COLUMNS)} from fct_observation where source_id = ?", [source_id]
        ).df()


def dropped_geographies(frame: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """(indicator, geography) pairs the previous load had and the new frame lacks."""
    had = previous[KEY].drop_duplicates()
    has = frame[KEY].drop_duplicates().assign(present=True)
    merged = had.merge(has, on=KEY, how="left")
    return merged[merged["present"].isna()][KEY].sort_values(KEY).reset_index(drop=True)


def _only_in(previous: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The previous rows whose indicator, geography and year the frame lacks."""
    keys = [*KEY, "period"]
    merged = previous[COLUMNS].merge(frame[keys].assign(present=True), on=keys, how="left")
    return merged[merged["present"].isna()][COLUMNS]


def loaded_rows(con, source_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The source's rows as loaded, and the rows that load replaced (empty after a first load)."""
    name = f"{source_id}_observations"
    select = f"select {', '.join(COLUMNS)} from {{}}.{sql_identifier(name)}"
    frame = con.execute(select.format("raw")).df()
    if not table_exists(con, "previous", name):
        return frame, frame.head(0)
    return frame, con.execute(select.format("previous")).df()


@dataclass(frozen=True)
class PlausibilityCheck:
    """One non-blocking check: what it finds in (new rows, previous rows) and how it names a row."""

    name: str
    description: str
    find: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]
    found: str  # what the rows are, after their count
    row: Callable[[tuple], str]
    passed: str

    def describe(self, rows: pd.DataFrame) -> str:
        """What a refresh prints: the count and the first rows found, or that all is well."""
        if rows.empty:
            return self.passed
        return f"{len(rows)} {self.found}: " + "; ".join(
            self.row(r) for r in rows.head(5).itertuples()
        )


CHECKS = (
    PlausibilityCheck(
        "plausible_year_on_year",
        "Warns when a value changes between consecutive years by more than its indicator's "
        "max_yearly_factor (dbt_project/seeds/indicators.csv).",
        year_on_year_jumps,
        "implausible year-on-year change(s)",
        lambda r: (
            f"{r.indicator_id} {r.geo_id} {r.previous_period:.0f}->{r.period}: "
            f"x{r.factor:.1f} (bound x{r.bound:g})"
        ),
        "every year-on-year change is within its bound",
    ),
    PlausibilityCheck(
        "plausible_revision",
        "Warns when a value differs from the previous load's value of the same indicator, "
        "geography and year by more than its indicator's max_revision_factor "
        "(dbt_project/seeds/indicators.csv): a changed unit in one year, all years or one "
        "geography.",
        revisions,
        "value(s) revised beyond their bound since the previous load",
        lambda r: (
            f"{r.indicator_id} {r.geo_id} {r.period}: {r.previous:.6g} -> {r.value:.6g} "
            f"x{r.factor:.3g} (bound x{r.bound:g})"
        ),
        "every value agrees with the previous load within its bound",
    ),
    PlausibilityCheck(
        "no_dropped_geographies",
        "Warns when a geography the previous load had for an indicator of this source is "
        "missing from the new observations.",
        dropped_geographies,
        "geography/indicator pair(s) dropped out",
        lambda r: f"{r.geo_id} ({r.indicator_id})",
        "no geography dropped out",
    ),
)


ABSURD = PlausibilityCheck(
    "no_absurd_revision",
    "Blocks the load when a value differs from the published value of the same indicator, "
    "geography and year by more than its indicator's hard_revision_factor "
    "(dbt_project/seeds/indicators.csv): a unit changed beyond anything a revision does.",
    absurd_revisions,
    "value(s) revised beyond their hard bound since the published edition (load blocked)",
    CHECKS[1].row,
    "every value agrees with the published edition within its hard bound",
)


def build_plausibility_checks(source: Source, observations_key: dg.AssetKey):
    """The non-blocking checks of one source's observations table, run as one step: the loaded
    rows and the rows they replaced are read once for the three. (The blocking one on its
    payload, against the published warehouse, is in pipelines/defs/payload_checks.py.)"""

    @dg.multi_asset_check(
        name=f"{source.id}_plausibility_checks",
        specs=[
            dg.AssetCheckSpec(spec.name, asset=observations_key, description=spec.description)
            for spec in CHECKS
        ],
        pool=WAREHOUSE_POOL,
    )
    def plausibility_checks(
        duckdb: DuckDBResource, settings: dg.ResourceParam[Settings]
    ) -> Iterator[dg.AssetCheckResult]:
        if skipped_offline(settings, source):
            # a live-only source refreshed offline fetches nothing and keeps its last rows
            for spec in CHECKS:
                yield dg.AssetCheckResult(
                    check_name=spec.name, passed=True, description=NOTHING_LANDED.format(source.id)
                )
            return
        with duckdb.get_connection() as con:
            frame, previous = loaded_rows(con, source.id)
        for spec in CHECKS:
            rows = spec.find(frame, previous)
            yield dg.AssetCheckResult(
                check_name=spec.name,
                passed=rows.empty,
                severity=dg.AssetCheckSeverity.WARN,
                description=spec.describe(rows),
                metadata={
                    "rows": len(rows),
                    "examples": dg.MetadataValue.md(rows.head(50).to_markdown(index=False)),
                },
            )

    return plausibility_checks
