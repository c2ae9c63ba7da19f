"""`citydip audit`: the statistical audit of the headline edition (or --year) in the terminal."""

from __future__ import annotations

import argparse
import json

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipelines.cli.reading import EXIT_NO_WAREHOUSE, add_quiet, reading
from pipelines.read.audit import Audit, SobolIndex, factor_label, load_audit
from pipelines.read.city_card import resolve_city

SHOWN_FACTORS = 8


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="the scorecard's statistical audit: coherence, flags, effective weights, Sobol",
        description="Cronbach's alpha and the first principal component of every pillar, the "
        "flagged correlations (collinear, negative within a pillar, silent), effective beside "
        "nominal weights, and the Sobol indices of the method choices on the average rank shift "
        "and each city's rank, for the headline year (or --year). docs/methodology.md",
    )
    parser.add_argument("--year", type=int, help="scorecard year (default: the headline year)")
    parser.add_argument("--city", help="every factor's Sobol indices on this city's rank")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    add_quiet(parser)
    parser.set_defaults(handler=reading(run))


def run(args: argparse.Namespace, con: duckdb.DuckDBPyConnection, console: Console) -> int:
    city = resolve_city(con, args.city) if args.city else None
    audit = load_audit(con, args.year)
    if audit is None:
        Console(stderr=True).print(
            f"[red]citydip {args.command}:[/] this edition has no statistical audit: "
            "run `citydip refresh` to publish one"
        )
        return EXIT_NO_WAREHOUSE
    if args.format == "json":
        print(json.dumps(audit.as_json(), indent=2))
        return 0
    for part in render(audit, city):
        console.print(part)
    return 0


def number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def plus_minus(value: float | None, conf: float | None) -> str:
    return "—" if value is None else f"{value:.2f} ± {conf:.2f}"


def short_names(audit: Audit) -> dict[str, str]:
    """Pillars by name, indicators by id: the terminal is narrow."""
    return {key: name for key, name in audit.names.items() if key not in audit.indicators}


def render(audit: Audit, city: str | None = None) -> list:
    names = short_names(audit)
    coherence = Table(title=f"Statistical audit {audit.year}: does each aggregate hang together?")
    for column in ("aggregate", "components", "Cronbach's alpha", "PC1 share of variance"):
        coherence.add_column(column, justify="left" if column == "aggregate" else "right")
    for c in audit.coherence:
        coherence.add_row(
            escape(c.name),
            str(c.components),
            number(c.cronbach_alpha),
            share(c.pc1_variance_share),
        )

    flags = Table(title="Flagged correlations", title_justify="left", box=None)
    for column in ("flag", "component", "with", "r"):
        flags.add_column(column, justify="right" if column == "r" else "left")
    for f in audit.flags:
        flags.add_row(
            f.kind,
            escape(names.get(f.component, f.component)),
            escape(names.get(f.other, f.other)),
            number(f.correlation),
        )

    weights = Table(
        title="Effective beside nominal weights (r: with its pillar)", title_justify="left"
    )
    for column in ("component", "pillar nom.", "pillar eff.", "overall nom.", "overall eff.", "r"):
        if column == "component":
            weights.add_column(column, no_wrap=True)
        else:
            weights.add_column(column, justify="right")
    for w in audit.weights:
        weights.add_row(
            escape(w.component) if w.level == "indicator" else f"[bold]{escape(w.name)}[/]",
            share(w.nominal_weight_in_pillar),
            share(w.effective_weight_in_pillar),
            share(w.nominal_weight_in_overall),
            share(w.effective_weight_in_overall),
            number(w.correlation_with_pillar),
        )

    parts: list = [coherence, flags if audit.flags else "no flagged correlations", weights]
    if audit.evaluations is None:
        return [*parts, f"no Sobol indices for {audit.year}: fewer than two cities are ranked"]
    setup = (
        f"N = {audit.base_samples} base samples, {audit.evaluations} scorecard evaluations, "
        f"seed {audit.seed}; ± is the half-width of the 95% bootstrap interval"
    )
    parts.append(
        sobol_table(
            f"Sobol indices on the average rank shift (mean {number(audit.mean_average_rank_shift)}"
            " places)",
            audit.average_rank_shift[:SHOWN_FACTORS],
            names,
        )
    )
    ranks = Table(title="Each city's rank under the method choices", title_justify="left")
    for column in ("rank", "city", "mean rank", "variance", "moved most by (total effect)"):
        ranks.add_column(
            column,
            justify="left" if column in ("city", "moved most by (total effect)") else "right",
        )
    for c in audit.cities:
        top = ", ".join(
            f"{factor_label(i.factor, names)} {i.total_order:.2f}" for i in c.indices[:2]
        )
        ranks.add_row(
            str(c.rank),
            escape(c.city_name),
            number(c.mean_rank),
            number(c.rank_variance),
            escape(top) or "never moves",
        )
    parts.append(ranks)
    for c in audit.cities:
        if c.city_id == city:
            title = f"Sobol indices on {escape(c.city_name)}'s rank"
            parts.append(sobol_table(title, c.indices, names))
    parts.append(setup)
    return parts


def sobol_table(title: str, indices: list[SobolIndex], names: dict[str, str]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("factor", "first order S1", "total effect ST"):
        table.add_column(column, justify="left" if column == "factor" else "right")
    for i in indices:
        table.add_row(
            escape(factor_label(i.factor, names)),
            plus_minus(i.first_order, i.first_order_conf),
            plus_minus(i.total_order, i.total_order_conf),
        )
    return table
