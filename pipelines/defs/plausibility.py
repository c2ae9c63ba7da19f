"""Plausibility beyond the schema: non-blocking checks that warn, never stop the refresh.

A value can pass the contract and still be wrong: a unit slip (thousands for persons), a
provider restating a series, a country vanishing from a response. Two warnings per source:

- `plausible_year_on_year`: between two consecutive years of one indicator and geography the
  value changes by more than the indicator's factor (up or down), e.g. population x1.1;
- `no_dropped_geographies`: a geography the published warehouse has for an indicator of this
  source is missing from the new observations.

Both are `WARN` asset checks on `raw/<source>_observations`: the refresh publishes, and
`citydip refresh` prints the warnings. The bounds are judgement, written down here.
"""

from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from pipelines.defs.landing import load_landed
from pipelines.defs.source_assets import skipped_offline
from pipelines.read.reader import WarehouseMissing, open_published
from pipelines.settings import Settings
from sources.source import Source

# Largest plausible change between consecutive years, as a factor either way (2.0: halving or
# doubling). None: not checked (net flows change sign). COVID cut tourism and air traffic by up
# to ~95% in 2020, so those bounds are wide (a city's own arrivals too: Singapore's fell from
# 2.7m in 2020 to 0.33m in 2021 and rose x19 to 6.3m in 2022); a population never moves 10% in
# a year.
MAX_YEARLY_FACTOR: dict[str, float | None] = {
    "population": 1.1,
    "city_population": 1.1,
    "exports_goods_services": 2.0,
    "imports_goods_services": 2.0,
    "market_capitalisation": 3.0,
    "listed_domestic_companies": 4.0,
    "tourism_arrivals": 25.0,
    "tourism_receipts": 25.0,
    "city_visitor_arrivals": 25.0,
    "air_passengers": 25.0,
    "intl_overnight_visitors": 25.0,
    "intl_visitor_spending": 25.0,
    "fdi_net_inflows": None,
    "qs_top100_universities": 4.0,
    # IPO markets swing by an order of magnitude (HKEX raised HK$312.9bn in 2019, HK$46.3bn in 2023)
    "ipo_funds_raised": 30.0,
}
DEFAULT_MAX_YEARLY_FACTOR = 3.0
KEY = ["indicator_id", "geo_id"]


def yearly_bound(indicator_id: str) -> float:
    """The indicator's factor bound; NaN when it is not checked."""
    bound = MAX_YEARLY_FACTOR.get(indicator_id, DEFAULT_MAX_YEARLY_FACTOR)
    return float("nan") if bound is None else float(bound)


def year_on_year_jumps(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose value moved beyond the indicator's factor since the previous year."""
    ordered = frame.sort_values([*KEY, "period"])
    grouped = ordered.groupby(KEY)
    ordered = ordered.assign(
        previous=grouped["value"].shift(), previous_period=grouped["period"].shift()
    )
    ordered["bound"] = [yearly_bound(i) for i in ordered["indicator_id"]]
    rows = ordered[
        ordered["bound"].notna()
        & (ordered["period"] - ordered["previous_period"] == 1)
        & (ordered["value"] > 0)
        & (ordered["previous"] > 0)
    ].copy()
    up, down = rows["value"] / rows["previous"], rows["previous"] / rows["value"]
    rows["factor"] = up.where(up >= 1, down)
    jumps = rows[rows["factor"] > rows["bound"]]
    return jumps[[*KEY, "previous_period", "period", "previous", "value", "factor", "bound"]]


def dropped_geographies(frame: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """(indicator, geography) pairs the published warehouse had and the new frame lacks."""
    had = published[KEY].drop_duplicates()
    has = frame[KEY].drop_duplicates().assign(present=True)
    merged = had.merge(has, on=KEY, how="left")
    return merged[merged["present"].isna()][KEY].sort_values(KEY).reset_index(drop=True)


def published_pairs(source_id: str, published_db: Path) -> pd.DataFrame:
    """(indicator, geography) pairs of this source in the published warehouse (empty if none)."""
    try:
        con = open_published(published_db)
    except WarehouseMissing:
        return pd.DataFrame(columns=KEY)
    with con:
        try:
            return con.execute(
                "select distinct indicator_id, geo_id from fct_observation where source_id = ?",
                [source_id],
            ).df()
        except duckdb.CatalogException:
            return pd.DataFrame(columns=KEY)


def _markdown(rows: pd.DataFrame, limit: int = 20) -> str:
    return rows.head(limit).to_markdown(index=False)


def build_plausibility_checks(source: Source, observations_key: dg.AssetKey) -> list:
    """The two non-blocking checks for one source's observations table."""

    def incoming(settings: Settings) -> pd.DataFrame | None:
        """The landed payload's observations; None for a live-only source refreshed offline
        (it fetches nothing and keeps its last rows, so there is nothing new to check)."""
        if skipped_offline(settings, source):
            return None
        return source.observations(load_landed(settings.raw_dir, source.id))

    nothing_landed = dg.AssetCheckResult(
        passed=True, description=f"no payload of {source.id} landed: nothing new to check"
    )

    @dg.asset_check(
        asset=observations_key,
        name="plausible_year_on_year",
        blocking=False,
        description="Warns when a value changes between consecutive years by more than its "
        "indicator's factor (pipelines/defs/plausibility.py).",
    )
    def year_on_year_check(settings: dg.ResourceParam[Settings]) -> dg.AssetCheckResult:
        frame = incoming(settings)
        if frame is None:
            return nothing_landed
        jumps = year_on_year_jumps(frame)
        summary = "; ".join(
            f"{r.indicator_id} {r.geo_id} {r.previous_period:.0f}->{r.period}: "
            f"x{r.factor:.1f} (bound x{r.bound:g})"
            for r in jumps.head(5).itertuples()
        )
        return dg.AssetCheckResult(
            passed=jumps.empty,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{len(jumps)} implausible year-on-year change(s): {summary}"
            if len(jumps)
            else "every year-on-year change is within its bound",
            metadata={"jumps": len(jumps), "examples": dg.MetadataValue.md(_markdown(jumps))},
        )

    @dg.asset_check(
        asset=observations_key,
        name="no_dropped_geographies",
        blocking=False,
        description="Warns when a geography the published warehouse has for an indicator of "
        "this source is missing from the new observations.",
    )
    def dropout_check(settings: dg.ResourceParam[Settings]) -> dg.AssetCheckResult:
        frame = incoming(settings)
        if frame is None:
            return nothing_landed
        dropped = dropped_geographies(frame, published_pairs(source.id, settings.published_db))
        listed = ", ".join(f"{r.geo_id} ({r.indicator_id})" for r in dropped.head(10).itertuples())
        return dg.AssetCheckResult(
            passed=dropped.empty,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{len(dropped)} geography/indicator pair(s) dropped out: {listed}"
            if len(dropped)
            else "no geography dropped out",
            metadata={"dropped": len(dropped), "pairs": dg.MetadataValue.md(_markdown(dropped))},
        )

    return [year_on_year_check, dropout_check]
