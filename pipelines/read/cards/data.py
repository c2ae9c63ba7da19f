"""Everything the cards site shows, read from the published warehouse in one pass.

The site renders a card per city and scorecard year, so it reads each table once for every year
(a fixed number of queries, whatever the number of cities and years) and builds the cards from
memory, instead of one query set per card (`city_card.load_card`, which the terminal uses). The
cards are the same `CityCard` objects; what only the site shows (each indicator's rank among the
cities, the pillar's registry count) sits beside them in `SiteData`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import duckdb

from pipelines.read.city_card import (
    Caveats,
    CityCard,
    IndicatorLine,
    PillarLine,
    RankInterval,
    StandingLine,
    TrendPoint,
    columns_of,
    has_relation,
    pillar_names,
    source_fetched_at,
)


@dataclass(frozen=True)
class YearChoice:
    """A scorecard year the site renders: the headline year, or a partial one, is labelled."""

    year: int
    is_headline: bool
    is_partial: bool

    @property
    def label(self) -> str:
        if self.is_headline:
            return "headline"
        return "partial" if self.is_partial else ""


def edition_years(con: duckdb.DuckDBPyConnection) -> list[YearChoice]:
    """The ranked years, newest first, with the headline year and the partial years.

    The one place the site chooses its years. It reads the edition's own choice when
    scorecard_edition publishes it (`is_headline_year` or `headline_year`; `is_partial`) and
    otherwise takes the newest ranked year as the headline and calls a year partial when it
    scores fewer pillars than the registry has.
    """
    ranked = [
        year
        for (year,) in con.execute(
            "select distinct year from scorecard_city where overall_score is not null "
            "order by year desc"
        ).fetchall()
    ]
    if not ranked:
        return []
    headline, partial = ranked[0], set()
    if has_relation(con, "scorecard_edition"):
        columns = columns_of(con, "scorecard_edition")
        rows = con.execute("select * from scorecard_edition").fetchall()
        names = [d[0] for d in con.description]
        facts = [dict(zip(names, row, strict=True)) for row in rows]
        chosen = [
            f["year"]
            for f in facts
            if f.get("is_headline_year") or f.get("headline_year") in (True, f["year"])
        ]
        if chosen and chosen[0] in ranked:
            headline = chosen[0]
        for f in facts:
            if "is_partial" in columns:
                is_partial = bool(f["is_partial"])
            else:
                is_partial = (f.get("pillars_scored") or 0) < (f.get("pillars_total") or 0)
            if is_partial:
                partial.add(f["year"])
    return [YearChoice(y, y == headline, y in partial and y != headline) for y in ranked]


@dataclass(frozen=True)
class IndicatorRank:
    rank: int
    cities: int

    @property
    def standing(self) -> str:
        return f"{self.rank} of {self.cities}"


@dataclass(frozen=True)
class PillarCoverage:
    """Indicators scored for the city out of the pillar's registry: never 100% for 1 of 4."""

    scored: int
    registry: int

    @property
    def text(self) -> str:
        if not self.registry:
            return "no indicator in the registry"
        noun = "indicator" if self.registry == 1 else "indicators"
        return f"{self.scored} of {self.registry} {noun} ({self.scored / self.registry:.0%})"


@dataclass(frozen=True)
class SourceLine:
    """One source's provenance in the edition: payload, fetch date and what it feeds."""

    source_id: str
    payload_sha256: str | None
    fetched_at: str | None
    indicators: list[tuple[str, str]]  # (indicator_id, name)
    data_years: tuple[int, int] | None


@dataclass
class SiteData:
    years: list[YearChoice]
    city_names: dict[str, str]
    pillars: dict[str, str]
    cards: dict[int, list[CityCard]]  # per year, in rank order
    indicator_ranks: dict[tuple[str, int, str], IndicatorRank] = field(default_factory=dict)
    coverage: dict[tuple[str, int, str], PillarCoverage] = field(default_factory=dict)
    registry: dict[str, int] = field(default_factory=dict)
    sources: list[SourceLine] = field(default_factory=list)

    @property
    def headline(self) -> int | None:
        return next((y.year for y in self.years if y.is_headline), None)

    def indicator_rank(self, city_id: str, year: int, indicator_id: str) -> IndicatorRank | None:
        return self.indicator_ranks.get((city_id, year, indicator_id))

    def pillar_coverage(self, city_id: str, year: int, pillar: str) -> PillarCoverage:
        return self.coverage.get(
            (city_id, year, pillar), PillarCoverage(0, self.registry.get(pillar, 0))
        )


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _ranks(scores: dict[str, float]) -> dict[str, IndicatorRank]:
    """1 is the best score among the cities with one; ties share a rank."""
    values = list(scores.values())
    return {
        city: IndicatorRank(1 + sum(v > s for v in values), len(values))
        for city, s in scores.items()
    }


def load_site(con: duckdb.DuckDBPyConnection) -> SiteData:
    """Every ranked year's cards, read with one query per table."""
    years = edition_years(con)
    names = pillar_names(con)
    city_columns = columns_of(con, "scorecard_city")
    optional = {
        "overall_score_change": "null",
        "overall_rank_change": "null",
        "proxy_share": "null",
        "data_year_min": "null",
        "data_year_max": "null",
        "rank_p05": "null",
        "rank_p95": "null",
        "rank_median": "null",
    }
    select = ", ".join(
        name if name in city_columns else f"{default} as {name}"
        for name, default in optional.items()
    )
    city_rows = _rows(
        con,
        f"select city_id, city_name, year, overall_score, overall_rank, {select} "
        "from scorecard_city order by year, overall_rank, city_name",
    )
    if not {"rank_p05", "rank_p95"} <= city_columns and has_relation(con, "scorecard_sensitivity"):
        sensitivity = {
            (r["city_id"], r["year"]): r
            for r in _rows(
                con,
                "select city_id, year, rank_p05, rank_p95, rank_median from scorecard_sensitivity",
            )
        }
        for r in city_rows:
            r.update(
                {
                    k: v
                    for k, v in sensitivity.get((r["city_id"], r["year"]), {}).items()
                    if k.startswith("rank_")
                }
            )

    pillar_columns = columns_of(con, "scorecard_pillar")
    scored_column = (
        "indicators_scored"
        if "indicators_scored" in pillar_columns
        else "null as indicators_scored"
    )
    pillar_rows = _rows(
        con,
        f"select city_id, year, pillar, score, rank, coverage, {scored_column} "
        "from scorecard_pillar",
    )
    registry = dict(
        con.execute(
            "select pillar, count(*) from dim_indicator where pillar is not null group by pillar"
        ).fetchall()
    )

    contributions: dict[tuple[str, int, str], tuple[float, float]] | None = None
    if has_relation(con, "scorecard_contribution"):
        column = "city_id" if "city_id" in columns_of(con, "scorecard_contribution") else "city"
        contributions = {
            (city, year, indicator): (pillar, overall)
            for city, year, indicator, pillar, overall in con.execute(
                f"select {column}, year, indicator_id, contribution_to_pillar, "
                "contribution_to_overall from scorecard_contribution"
            ).fetchall()
        }
    fetched = source_fetched_at(con)
    indicator_rows = con.execute(
        """
        select s.city_id, s.year, s.pillar, s.indicator_id, i.name, i.unit, s.raw_value,
               s.normalised_score, s.weight, s.data_year, s.is_proxy, s.is_imputed,
               s.is_approximate, s.source_id, s.payload_sha256, i.description
        from scorecard_indicator as s
        inner join dim_indicator as i using (indicator_id)
        order by s.pillar, s.normalised_score * s.weight desc, s.indicator_id
        """
    ).fetchall()
    standings: dict[tuple[str, int, str], list[StandingLine]] = defaultdict(list)
    if has_relation(con, "audit_city_strengths"):
        for city, year, kind, *line in con.execute(
            "select s.city_id, s.year, s.kind, s.indicator_id, i.name, s.pillar, "
            "s.indicator_rank, s.cities_with_value, s.normalised_score "
            "from audit_city_strengths as s inner join dim_indicator as i using (indicator_id) "
            "order by s.position"
        ).fetchall():
            standings[(city, year, kind)].append(StandingLine(*line))
    caveats: dict[int, Caveats] = {}
    if has_relation(con, "scorecard_edition"):
        caveats = {
            row[0]: Caveats(*row)
            for row in con.execute(
                "select year, cities_ranked, cities, pillars_scored, pillars_total, proxy_share, "
                "imputed_share, data_year_min, data_year_max, cities_unranked "
                "from scorecard_edition"
            ).fetchall()
        }

    indicators: dict[tuple[str, int], list[IndicatorLine]] = defaultdict(list)
    by_indicator: dict[tuple[int, str], dict[str, float]] = defaultdict(dict)
    for r in indicator_rows:
        city, year = r[0], r[1]
        contribution = (contributions or {}).get((city, year, r[3]), (None, None))
        indicators[(city, year)].append(
            IndicatorLine(
                *r[2:15],
                description=r[15] or r[4],
                fetched_at=fetched.get((r[13], r[14])),
                contribution_to_pillar=contribution[0],
                contribution_to_overall=contribution[1],
            )
        )
        if r[7] is not None:
            by_indicator[(year, r[3])][city] = r[7]
    indicator_ranks = {
        (city, year, indicator): rank
        for (year, indicator), scores in by_indicator.items()
        for city, rank in _ranks(scores).items()
    }

    pillars_of: dict[tuple[str, int], dict[str, tuple]] = defaultdict(dict)
    coverage: dict[tuple[str, int, str], PillarCoverage] = {}
    for r in pillar_rows:
        key = (r["city_id"], r["year"])
        pillars_of[key][r["pillar"]] = (r["score"], r["rank"], r["coverage"])
        scored = r["indicators_scored"]
        if scored is None:  # an edition before indicators_scored: count the scored rows
            scored = sum(1 for i in indicators[key] if i.pillar == r["pillar"])
        coverage[(*key, r["pillar"])] = PillarCoverage(scored, registry.get(r["pillar"], 0))

    trends: dict[str, list[TrendPoint]] = defaultdict(list)
    ranked_per_year: dict[int, int] = defaultdict(int)
    for r in city_rows:
        if r["overall_score"] is not None:
            trends[r["city_id"]].append(
                TrendPoint(r["year"], r["overall_score"], r["overall_rank"])
            )
            ranked_per_year[r["year"]] += 1

    cards: dict[int, list[CityCard]] = defaultdict(list)
    wanted = {y.year for y in years}
    for r in city_rows:
        city, year = r["city_id"], r["year"]
        if year not in wanted or r["overall_score"] is None:
            continue
        lines = indicators[(city, year)]
        interval = None
        if r["rank_p05"] is not None and r["rank_p95"] is not None:
            interval = RankInterval(p05=r["rank_p05"], median=r["rank_median"], p95=r["rank_p95"])
        scored = pillars_of[(city, year)]
        cards[year].append(
            CityCard(
                city_id=city,
                city_name=r["city_name"],
                year=year,
                overall_score=r["overall_score"],
                overall_rank=r["overall_rank"],
                cities_ranked=ranked_per_year[year],
                pillars=[
                    PillarLine(p, name, *scored.get(p, (None, None, None)))
                    for p, name in names.items()
                ],
                indicators=lines,
                trend=trends[city],
                rank_interval=interval,
                score_change=r["overall_score_change"],
                rank_change=r["overall_rank_change"],
                has_contributions=contributions is not None,
                flags=sorted({f for i in lines for f in i.flags}),
                caveats=caveats.get(year),
                proxy_share=r["proxy_share"],
                data_years=(r["data_year_min"], r["data_year_max"])
                if r["data_year_min"] is not None
                else None,
                strengths=standings[(city, year, "strength")],
                weaknesses=standings[(city, year, "weakness")],
            )
        )
    city_names = dict(con.execute("select city_id, city_name from dim_city").fetchall())
    return SiteData(
        years=years,
        city_names=city_names,
        pillars=names,
        cards=dict(cards),
        indicator_ranks=indicator_ranks,
        coverage=coverage,
        registry=registry,
        sources=load_sources(con, fetched),
    )


def load_sources(
    con: duckdb.DuckDBPyConnection, fetched: dict[tuple[str, str], str]
) -> list[SourceLine]:
    """Per source of a scored indicator: its payload, fetch date, indicators and data years."""
    feeds: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for source, indicator, name in con.execute(
        "select source_id, indicator_id, name from dim_indicator "
        "where pillar is not null order by source_id, indicator_id"
    ).fetchall():
        feeds[source].append((indicator, name))
    years = {
        source: (low, high)
        for source, low, high in con.execute(
            "select source_id, min(data_year), max(data_year) from scorecard_indicator "
            "where source_id is not null group by source_id"
        ).fetchall()
    }
    payloads = {source: (sha, day) for (source, sha), day in fetched.items()}
    return [
        SourceLine(
            source_id=source,
            payload_sha256=payloads.get(source, (None, None))[0],
            fetched_at=payloads.get(source, (None, None))[1],
            indicators=feeds.get(source, []),
            data_years=years.get(source),
        )
        for source in sorted(set(feeds) | set(payloads))
    ]
