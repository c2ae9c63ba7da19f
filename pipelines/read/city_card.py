"""The content of a city's card, read from the published warehouse.

Shared by the terminal (`citydip card|compare|explain`) and the static site. Every surface shows
the edition's headline year (scorecard_edition) with its caveats: pillars scored, the share of
proxy values, the data years and the rank interval. Parts built by newer marts (contributions,
rank intervals, year-on-year change) are read when the published edition has them and left out
(None) when it does not.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import duckdb


class UnknownCity(LookupError):
    pass


class UnknownPillar(LookupError):
    pass


@dataclass(frozen=True)
class RankInterval:
    p05: float
    median: float | None
    p95: float


@dataclass(frozen=True)
class Caveats:
    """What a ranking must be shown with (scorecard_edition for the year, and the city's own)."""

    year: int
    cities_ranked: int
    cities: int
    pillars_scored: int
    pillars_total: int
    proxy_share: float | None
    imputed_share: float | None
    data_year_min: int | None
    data_year_max: int | None
    cities_unranked: str | None = None
    headline_year: int | None = None
    is_partial: bool = False
    partial_reason: str | None = None
    cities_unscored: str | None = None

    @property
    def is_headline(self) -> bool:
        return self.headline_year is None or self.year == self.headline_year

    @property
    def label(self) -> str:
        """The year as every surface names it: `2025 (headline year)`, `2019 (not the headline
        year 2025; partial: 3 of 4 pillars scored)`."""
        notes = [] if self.is_headline else [f"not the headline year {self.headline_year}"]
        if self.is_partial:
            notes.append(self.partial_reason or "partial")
        if self.is_headline and self.headline_year is not None:
            notes.insert(0, "headline year")
        return f"{self.year} ({'; '.join(notes)})" if notes else str(self.year)

    @property
    def line(self) -> str:
        """One line for a console or a page: edition year, pillars, proxies, data years."""
        parts = [
            f"edition {self.label}",
            f"{self.pillars_scored} of {self.pillars_total} pillars scored",
            f"{self.cities_ranked} of {self.cities} cities ranked",
            f"national proxies {percent(self.proxy_share)} of scored values",
            f"imputed {percent(self.imputed_share)}",
        ]
        if self.data_year_min is not None:
            parts.append(f"data years {self.data_year_min}–{self.data_year_max}")
        if self.cities_unranked:
            parts.append(f"unranked: {self.cities_unranked}")
        if self.cities_unscored:
            parts.append(f"not scored (too little data): {self.cities_unscored}")
        return " · ".join(parts)


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


@dataclass(frozen=True)
class PillarLine:
    pillar: str
    name: str
    score: float | None
    rank: int | None
    coverage: float | None


@dataclass(frozen=True)
class IndicatorLine:
    pillar: str
    indicator_id: str
    name: str
    unit: str
    value: float
    score: float
    weight: float
    data_year: int
    is_proxy: bool
    is_imputed: bool
    is_approximate: bool
    source_id: str
    payload_sha256: str
    description: str
    fetched_at: str | None
    contribution_to_pillar: float | None = None
    contribution_to_overall: float | None = None

    @property
    def flags(self) -> list[str]:
        return [
            flag
            for flag, on in (
                ("proxy", self.is_proxy),
                ("imputed", self.is_imputed),
                ("approximate", self.is_approximate),
            )
            if on
        ]

    @property
    def provenance(self) -> str:
        """Where the figure comes from, down to the landed payload."""
        fetched = f", fetched {self.fetched_at}" if self.fetched_at else ""
        proxy = (
            "; a national figure standing in for the city, which hosts it for its whole country"
            if self.is_proxy
            else ""
        )
        return (
            f"{self.description} — {self.data_year} value from {self.source_id} payload "
            f"{self.payload_sha256[:12]}{fetched}{proxy}"
        )


@dataclass(frozen=True)
class StandingLine:
    """A strength or weakness: an indicator and the city's rank on it among the cities."""

    indicator_id: str
    name: str
    pillar: str
    rank: int
    cities: int
    score: float

    @property
    def standing(self) -> str:
        return f"{self.rank} of {self.cities}"


@dataclass(frozen=True)
class TrendPoint:
    year: int
    score: float
    rank: int
    is_partial: bool = False  # scorecard_edition.is_partial: label it, never join it to a full year


@dataclass
class CityCard:
    city_id: str
    city_name: str
    year: int
    overall_score: float | None
    overall_rank: int | None
    cities_ranked: int
    pillars: list[PillarLine]
    indicators: list[IndicatorLine]
    trend: list[TrendPoint]
    rank_interval: RankInterval | None = None
    score_change: float | None = None
    rank_change: int | None = None
    has_contributions: bool = False
    flags: list[str] = field(default_factory=list)
    caveats: Caveats | None = None
    proxy_share: float | None = None
    data_years: tuple[int, int] | None = None
    strengths: list[StandingLine] = field(default_factory=list)
    weaknesses: list[StandingLine] = field(default_factory=list)
    overall_missing_reason: str | None = None

    @property
    def pillars_scored(self) -> frozenset[str]:
        return frozenset(p.pillar for p in self.pillars if p.score is not None)

    @property
    def year_label(self) -> str:
        return self.caveats.label if self.caveats is not None else str(self.year)

    def indicators_of(self, pillar: str) -> list[IndicatorLine]:
        return [i for i in self.indicators if i.pillar == pillar]

    def top_contributions(self, n: int = 5) -> list[IndicatorLine]:
        if not self.has_contributions:
            return []
        ranked = [i for i in self.indicators if i.contribution_to_overall is not None]
        return sorted(ranked, key=lambda i: -(i.contribution_to_overall or 0))[:n]


def has_relation(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where table_name = ? and not temporary",
            [name],
        ).fetchone()[0]
        or con.execute(
            "select count(*) from duckdb_views() where view_name = ? and not internal", [name]
        ).fetchone()[0]
    )


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from duckdb_columns() where table_name = ?", [table]
    ).fetchall()
    return {name for (name,) in rows}


def pillar_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Pillar key -> display name, in scorecard_city column order. The names come from dim_pillar
    (the seed); an edition published before dim_pillar shows the key made readable."""
    named = (
        dict(con.execute("select pillar, pillar_name from dim_pillar").fetchall())
        if has_relation(con, "dim_pillar")
        else {}
    )
    return {p: named.get(p, p.replace("_", " ").capitalize()) for p in pillars(con)}


def pillars(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Pillar keys in scorecard_city column order (`<pillar>_score`)."""
    rows = con.execute(
        "select column_name from duckdb_columns() where table_name = 'scorecard_city' "
        "and column_name like '%\\_score' escape '\\' and column_name <> 'overall_score' "
        "order by column_index"
    ).fetchall()
    return [name.removesuffix("_score") for (name,) in rows]


def cities(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("select city_id, city_name from dim_city order by city_id").fetchall())


def resolve_city(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """A city id from an id or a name in any case; unknown names suggest the closest ones."""
    known = cities(con)
    wanted = text.strip().lower()
    for city_id, name in known.items():
        if wanted in (city_id, name.lower(), name.lower().replace(" ", "-")):
            return city_id
    names = list(known.values()) + list(known)
    close = difflib.get_close_matches(text, names, n=3, cutoff=0.5)
    close += difflib.get_close_matches(wanted, [n.lower() for n in names], n=3, cutoff=0.5)
    suggestions = []
    for candidate in close:
        for city_id, name in known.items():
            if candidate.lower() in (city_id, name.lower()) and name not in suggestions:
                suggestions.append(name)
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    raise UnknownCity(f"unknown city {text!r}.{hint} Known cities: {', '.join(known.values())}.")


def resolve_pillar(con: duckdb.DuckDBPyConnection, text: str) -> str:
    names = pillar_names(con)
    known = list(names)
    wanted = text.strip().lower()
    for pillar, name in names.items():
        if wanted in (pillar, name.lower()):
            return pillar
    prefixed = [
        p for p, name in names.items() if p.startswith(wanted) or name.lower().startswith(wanted)
    ]
    if len(prefixed) == 1:
        return prefixed[0]
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.4)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise UnknownPillar(f"unknown pillar {text!r}.{hint} Pillars: {', '.join(known)}.")


def headline_year(con: duckdb.DuckDBPyConnection) -> int | None:
    """The edition's headline year (scorecard_edition.is_headline_year): the newest year with
    the most ranked cities, then the most pillar scores. Every surface shows this year."""
    if has_relation(con, "scorecard_edition"):
        row = con.execute("select year from scorecard_edition where is_headline_year").fetchone()
    else:  # an edition published before scorecard_edition
        row = con.execute(
            "select year from scorecard_pillar group by year "
            "order by count(score) desc, year desc limit 1"
        ).fetchone()
    return row[0] if row else None


def latest_year(con: duckdb.DuckDBPyConnection, city_id: str | None = None) -> int | None:
    """The headline year, for every city: a city unranked in it is shown unranked, with the
    reason, never silently in another year. A city the edition does not score at all (a new seed
    row without data: dim_city.is_scored) raises UnknownCity with the reason."""
    if city_id is not None:
        not_scored = unscored_reason(con, city_id)
        if not_scored:
            raise UnknownCity(f"{cities(con).get(city_id, city_id)} is not scored: {not_scored}")
    return headline_year(con)


def unscored_reason(con: duckdb.DuckDBPyConnection, city_id: str) -> str | None:
    """Why dim_city does not score the city (too few pillars with data), or None."""
    if "unscored_reason" not in columns_of(con, "dim_city"):
        return None
    row = con.execute(
        "select unscored_reason from dim_city where city_id = ?", [city_id]
    ).fetchone()
    return row[0] if row else None


def unscored_cities(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """{city name: reason} of the cities the edition lists but does not score."""
    if "unscored_reason" not in columns_of(con, "dim_city"):
        return {}
    return dict(
        con.execute(
            "select city_name, unscored_reason from dim_city where not is_scored order by city_name"
        ).fetchall()
    )


def partial_years(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """{year: why} of the partial years (scorecard_edition.is_partial)."""
    if "is_partial" not in columns_of(con, "scorecard_edition"):
        return {}
    return dict(
        con.execute(
            "select year, partial_reason from scorecard_edition where is_partial order by year"
        ).fetchall()
    )


def caveats(con: duckdb.DuckDBPyConnection, year: int) -> Caveats | None:
    """The caveats of a scorecard year (scorecard_edition), or None for an older edition."""
    if not has_relation(con, "scorecard_edition"):
        return None
    partial = (
        "is_partial, partial_reason"
        if "is_partial" in columns_of(con, "scorecard_edition")
        else "false, null"
    )
    row = con.execute(
        "select year, cities_ranked, cities, pillars_scored, pillars_total, proxy_share, "
        f"imputed_share, data_year_min, data_year_max, cities_unranked, {partial} "
        "from scorecard_edition where year = ?",
        [year],
    ).fetchone()
    if row is None:
        return None
    unscored = ", ".join(unscored_cities(con)) or None
    return Caveats(
        *row[:10],
        headline_year=headline_year(con),
        is_partial=bool(row[10]),
        partial_reason=row[11],
        cities_unscored=unscored,
    )


def source_fetched_at(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """{(source, payload hash): fetched date} from the edition's `_citydip_meta`."""
    if not has_relation(con, "_citydip_meta"):
        return {}
    rows = con.execute(
        "select name, value, strftime(fetched_at, '%Y-%m-%d') from _citydip_meta "
        "where section = 'source'"
    ).fetchall()
    return {(source, sha): fetched for source, sha, fetched in rows}


def _rank_interval(con, city_id: str, year: int, city_columns: set[str]) -> RankInterval | None:
    if {"rank_p05", "rank_p95"} <= city_columns:
        median = ", rank_median" if "rank_median" in city_columns else ", null"
        row = con.execute(
            f"select rank_p05, rank_p95{median} from scorecard_city where city_id = ? and year = ?",
            [city_id, year],
        ).fetchone()
    elif has_relation(con, "scorecard_sensitivity"):
        row = con.execute(
            "select rank_p05, rank_p95, rank_median from scorecard_sensitivity "
            "where city_id = ? and year = ?",
            [city_id, year],
        ).fetchone()
    else:
        return None
    if row is None or row[0] is None or row[1] is None:
        return None
    return RankInterval(p05=row[0], median=row[2], p95=row[1])


def _contributions(con, city_id: str, year: int) -> dict[str, tuple[float, float]] | None:
    if not has_relation(con, "scorecard_contribution"):
        return None
    city_column = "city_id" if "city_id" in columns_of(con, "scorecard_contribution") else "city"
    rows = con.execute(
        f"select indicator_id, contribution_to_pillar, contribution_to_overall "
        f"from scorecard_contribution where {city_column} = ? and year = ?",
        [city_id, year],
    ).fetchall()
    return {indicator: (pillar, overall) for indicator, pillar, overall in rows}


def _standings(con, city_id: str, year: int, kind: str) -> list[StandingLine]:
    """The city's strengths or weaknesses (audit_city_strengths); none in older editions."""
    if not has_relation(con, "audit_city_strengths"):
        return []
    rows = con.execute(
        "select s.indicator_id, i.name, s.pillar, s.indicator_rank, s.cities_with_value, "
        "s.normalised_score from audit_city_strengths as s "
        "inner join dim_indicator as i using (indicator_id) "
        "where s.city_id = ? and s.year = ? and s.kind = ? order by s.position",
        [city_id, year, kind],
    ).fetchall()
    return [StandingLine(*row) for row in rows]


def load_card(con: duckdb.DuckDBPyConnection, city_id: str, year: int | None = None) -> CityCard:
    """Everything a city's card shows, for the edition's headline year unless a year is given."""
    year = year or latest_year(con, city_id)
    if year is None:
        raise UnknownCity(f"{city_id} has no scored year in this edition")
    city_columns = columns_of(con, "scorecard_city")
    change = (
        ", overall_score_change, overall_rank_change"
        if {"overall_score_change", "overall_rank_change"} <= city_columns
        else ", null, null"
    )
    # the city's own caveats, computed by dbt (scorecard_city); absent from older editions
    own = (
        ", proxy_share, data_year_min, data_year_max"
        if {"proxy_share", "data_year_min", "data_year_max"} <= city_columns
        else ", null, null, null"
    )
    missing = ", overall_missing_reason" if "overall_missing_reason" in city_columns else ", null"
    row = con.execute(
        f"""
        select city_name, overall_score, overall_rank,
               (select count(overall_score) from scorecard_city as o where o.year = c.year)
               {change}{own}{missing}
        from scorecard_city as c where city_id = ? and year = ?
        """,
        [city_id, year],
    ).fetchone()
    if row is None:
        raise UnknownCity(f"{city_id} has no score for {year}")
    name, score, rank, ranked, score_change, rank_change, proxy_share, oldest, newest = row[:9]

    scored = {
        pillar: (s, r, cov)
        for pillar, s, r, cov in con.execute(
            "select pillar, score, rank, coverage from scorecard_pillar "
            "where city_id = ? and year = ?",
            [city_id, year],
        ).fetchall()
    }
    pillar_lines = [
        PillarLine(p, name, *scored.get(p, (None, None, None)))
        for p, name in pillar_names(con).items()
    ]

    contributions = _contributions(con, city_id, year)
    fetched = source_fetched_at(con)
    indicator_rows = con.execute(
        """
        select s.pillar, s.indicator_id, i.name, i.unit, s.raw_value, s.normalised_score,
               s.weight, s.data_year, s.is_proxy, s.is_imputed, s.is_approximate,
               s.source_id, s.payload_sha256, i.description
        from scorecard_indicator as s
        inner join dim_indicator as i using (indicator_id)
        where s.city_id = ? and s.year = ?
        order by s.pillar, s.normalised_score * s.weight desc, s.indicator_id
        """,
        [city_id, year],
    ).fetchall()
    indicators = []
    for r in indicator_rows:
        contribution = (contributions or {}).get(r[1], (None, None))
        indicators.append(
            IndicatorLine(
                *r[:13],
                description=r[13] or r[2],
                fetched_at=fetched.get((r[11], r[12])),
                contribution_to_pillar=contribution[0],
                contribution_to_overall=contribution[1],
            )
        )

    partial = partial_years(con)
    trend = [
        TrendPoint(*t, is_partial=t[0] in partial)
        for t in con.execute(
            "select year, overall_score, overall_rank from scorecard_city "
            "where city_id = ? and overall_score is not null order by year",
            [city_id],
        ).fetchall()
    ]
    flags = sorted({f for i in indicators for f in i.flags})
    return CityCard(
        city_id=city_id,
        city_name=name,
        year=year,
        overall_score=score,
        overall_rank=rank,
        cities_ranked=ranked,
        pillars=pillar_lines,
        indicators=indicators,
        trend=trend,
        rank_interval=_rank_interval(con, city_id, year, city_columns),
        score_change=score_change,
        rank_change=rank_change,
        has_contributions=contributions is not None,
        flags=flags,
        caveats=caveats(con, year),
        proxy_share=proxy_share,
        data_years=(oldest, newest) if oldest is not None else None,
        strengths=_standings(con, city_id, year, "strength"),
        weaknesses=_standings(con, city_id, year, "weakness"),
        overall_missing_reason=row[9],
    )


def ranked_city_ids(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    rows = con.execute(
        "select city_id from scorecard_city where year = ? and overall_score is not null "
        "order by overall_rank, city_name",
        [year],
    ).fetchall()
    return [city_id for (city_id,) in rows]


def format_value(value: float | None, unit: str) -> str:
    """A figure in its unit, short enough for a card: $1.23 tn, 45.6 m persons, 12."""
    if value is None:
        return "—"
    money = unit.upper().startswith("USD")
    magnitude = abs(value)
    for threshold, suffix in ((1e12, " tn"), (1e9, " bn"), (1e6, " m")):
        if magnitude >= threshold:
            text = f"{value / threshold:.2f}{suffix}"
            break
    else:
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if money:
        return f"${text}"
    return f"{text} {unit}" if unit not in ("count", "") else text
