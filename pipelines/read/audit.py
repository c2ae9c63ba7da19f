"""The statistical audit of a scorecard year, read from the published warehouse's audit marts.

Shared by `citydip audit` and the cards site's audit page. An edition published before the audit
marts has no audit (`load_audit` returns None).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb

from pipelines.read.city_card import has_relation, headline_year, pillar_names

AUDIT_MARTS = (
    "audit_correlation",
    "audit_pillar_coherence",
    "audit_effective_weight",
    "audit_sobol",
)
OVERALL = "overall"


@dataclass(frozen=True)
class Coherence:
    aggregate: str
    name: str
    components: int
    complete_cities: int
    cronbach_alpha: float | None
    pc1_variance_share: float | None


@dataclass(frozen=True)
class Flag:
    kind: str  # collinear, negative within pillar, silent
    component: str
    other: str
    correlation: float | None


@dataclass(frozen=True)
class Weight:
    component: str
    name: str
    level: str
    pillar: str
    nominal_weight_in_pillar: float | None
    effective_weight_in_pillar: float | None
    correlation_with_pillar: float | None
    nominal_weight_in_overall: float
    effective_weight_in_overall: float | None
    correlation_with_overall: float | None
    pc1_loading: float | None
    is_silent: bool


@dataclass(frozen=True)
class SobolIndex:
    factor: str
    label: str
    first_order: float | None
    first_order_conf: float | None
    total_order: float | None
    total_order_conf: float | None


@dataclass(frozen=True)
class RankSensitivity:
    """A city's rank under the sampled method choices, and what moves it most."""

    city_id: str
    city_name: str
    rank: int
    mean_rank: float
    rank_variance: float
    indices: list[SobolIndex]  # by total effect, largest first; empty when the rank never moves


@dataclass(frozen=True)
class Audit:
    year: int
    names: dict[str, str]  # component key -> display name
    components: list[str]  # the correlation matrix's order: indicators, pillars, overall
    correlations: dict[tuple[str, str], float | None]
    coherence: list[Coherence]
    flags: list[Flag]
    weights: list[Weight]
    average_rank_shift: list[SobolIndex]  # by total effect, largest first
    mean_average_rank_shift: float | None
    cities: list[RankSensitivity]  # in rank order
    base_samples: int | None
    evaluations: int | None
    seed: int | None

    @property
    def indicators(self) -> set[str]:
        return {w.component for w in self.weights if w.level == "indicator"}

    def correlation(self, a: str, b: str) -> float | None:
        return 1.0 if a == b else self.correlations.get((a, b))

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("correlations")
        data["correlation_matrix"] = [
            [self.correlation(a, b) for b in self.components] for a in self.components
        ]
        return data


def has_audit(con: duckdb.DuckDBPyConnection) -> bool:
    return all(has_relation(con, table) for table in AUDIT_MARTS)


def component_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    names = dict(con.execute("select indicator_id, name from dim_indicator").fetchall())
    return {**names, **pillar_names(con), OVERALL: "Overall score"}


def factor_label(factor: str, names: dict[str, str]) -> str:
    """`indicator_weight:gfci_rating` -> 'weight of Global Financial Centres Index rating'."""
    kind, _, key = factor.partition(":")
    if key:
        return f"weight of {names.get(key, key)}"
    return {"indicator_left_out": "indicator left out"}.get(kind, kind)


def load_audit(con: duckdb.DuckDBPyConnection, year: int | None = None) -> Audit | None:
    """The audit of `year` (default: the headline year), or None without the audit marts."""
    if not has_audit(con):
        return None
    year = year or headline_year(con)
    names = component_names(con)
    order = {key: n for n, key in enumerate(pillar_names(con))}
    weights = [
        Weight(row[0], names.get(row[0], row[0]), *row[1:])
        for row in con.execute(
            "select component, level, pillar, nominal_weight_in_pillar, "
            "effective_weight_in_pillar, correlation_with_pillar, nominal_weight_in_overall, "
            "effective_weight_in_overall, correlation_with_overall, pc1_loading, is_silent "
            "from audit_effective_weight where year = ?",
            [year],
        ).fetchall()
    ]
    weights.sort(key=lambda w: (order.get(w.pillar, len(order)), w.level == "pillar", w.component))
    components = [w.component for w in weights if w.level == "indicator"]
    components += [w.component for w in weights if w.level == "pillar"] + [OVERALL]
    correlations = {
        (a, b): r
        for a, b, r in con.execute(
            "select component_a, component_b, correlation from audit_correlation where year = ?",
            [year],
        ).fetchall()
    }
    coherence = [
        Coherence(row[0], names.get(row[0], row[0]), *row[1:])
        for row in con.execute(
            "select aggregate, components, complete_cities, cronbach_alpha, pc1_variance_share "
            "from audit_pillar_coherence where year = ?",
            [year],
        ).fetchall()
    ]
    coherence.sort(key=lambda c: order.get(c.aggregate, len(order)))
    return Audit(
        year=year,
        names=names,
        components=components,
        correlations=correlations,
        coherence=coherence,
        flags=_flags(con, year),
        weights=weights,
        average_rank_shift=_indices(con, year, None, names),
        mean_average_rank_shift=_scalar(
            con,
            "select max(output_mean) from audit_sobol "
            "where year = ? and output = 'average_rank_shift'",
            year,
        ),
        cities=_cities(con, year, names),
        base_samples=_scalar(con, "select max(base_samples) from audit_sobol where year = ?", year),
        evaluations=_scalar(con, "select max(evaluations) from audit_sobol where year = ?", year),
        seed=_scalar(con, "select max(seed) from audit_sobol where year = ?", year),
    )


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, year: int):
    return con.execute(sql, [year]).fetchone()[0]


def _flags(con: duckdb.DuckDBPyConnection, year: int) -> list[Flag]:
    """Each flagged pair once: a pair of indicators in name order, a component before its
    aggregate."""
    rows = con.execute(
        """
        select kind, component_a, component_b, correlation from (
            select 'collinear' as kind, * from audit_correlation
            where is_collinear and component_a < component_b
            union all
            select 'negative within pillar', * from audit_correlation
            where is_negative_within_pillar and component_a < component_b
            union all
            select 'silent', * from audit_correlation
            where is_silent and (level_a, level_b) in (('indicator', 'pillar'), ('pillar', 'overall'))
        )
        where year = ?
        order by kind, correlation, component_a
        """,
        [year],
    ).fetchall()
    return [Flag(*row) for row in rows]


def _indices(
    con: duckdb.DuckDBPyConnection, year: int, city_id: str | None, names: dict[str, str]
) -> list[SobolIndex]:
    rows = con.execute(
        "select factor, first_order, first_order_conf, total_order, total_order_conf "
        "from audit_sobol where year = ? and city_id is not distinct from ? "
        "and total_order is not null order by total_order desc, factor",
        [year, city_id],
    ).fetchall()
    return [SobolIndex(row[0], factor_label(row[0], names), *row[1:]) for row in rows]


def _cities(
    con: duckdb.DuckDBPyConnection, year: int, names: dict[str, str]
) -> list[RankSensitivity]:
    rows = con.execute(
        """
        select s.city_id, c.city_name, c.overall_rank, max(s.output_mean), max(s.output_variance)
        from audit_sobol as s
        inner join scorecard_city as c on c.city_id = s.city_id and c.year = s.year
        where s.year = ? and s.output = 'rank'
        group by s.city_id, c.city_name, c.overall_rank
        order by c.overall_rank, c.city_name
        """,
        [year],
    ).fetchall()
    return [
        RankSensitivity(city, name, rank, mean, variance, _indices(con, year, city, names))
        for city, name, rank, mean, variance in rows
    ]
