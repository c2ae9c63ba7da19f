"""`citydip compare CITY CITY`: two cards side by side for the same year."""

from __future__ import annotations

import argparse

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipelines.cli.card import rank_text, score_text
from pipelines.cli.reading import add_quiet, reading
from pipelines.read.city_card import latest_year, load_card, resolve_city


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="two cities side by side",
        description="Overall and pillar scores and ranks of two cities in the edition's headline "
        "year (or --year), with the gap per pillar. The overall gap is shown only like with "
        "like: both cities ranked on the same pillars.",
    )
    parser.add_argument("city", nargs=2, metavar="CITY")
    parser.add_argument(
        "--year", type=int, help="scorecard year (default: the edition's headline year)"
    )
    add_quiet(parser)
    parser.set_defaults(handler=reading(run))


def _gap(x: float | None, y: float | None) -> str:
    return "" if x is None or y is None else f"{x - y:+.1f}"


def run(args: argparse.Namespace, con: duckdb.DuckDBPyConnection, console: Console) -> int:
    a, b = (resolve_city(con, c) for c in args.city)
    year = args.year or latest_year(con, a) or latest_year(con, b)
    left, right = load_card(con, a, year), load_card(con, b, year)
    # like with like: an overall gap only between two ranked cities scored on the same pillars
    alike = (
        left.overall_score is not None
        and right.overall_score is not None
        and left.pillars_scored == right.pillars_scored
    )
    table = Table(
        title=f"{escape(left.city_name)} vs {escape(right.city_name)} — {escape(left.year_label)}"
    )
    table.add_column("")
    table.add_column(escape(left.city_name), justify="right")
    table.add_column(escape(right.city_name), justify="right")
    table.add_column("gap", justify="right")
    table.add_row(
        "overall score",
        score_text(left.overall_score),
        score_text(right.overall_score),
        _gap(left.overall_score, right.overall_score) if alike else "",
        style="bold",
    )
    table.add_row("rank", rank_text(left), rank_text(right), "")
    for lp, rp in zip(left.pillars, right.pillars, strict=True):
        table.add_row(
            escape(lp.name),
            f"{score_text(lp.score)} (#{lp.rank or '—'})",
            f"{score_text(rp.score)} (#{rp.rank or '—'})",
            _gap(lp.score, rp.score),
        )
    console.print(table)
    if not alike:
        console.print(
            "no overall gap: the two overall scores do not rest on the same pillars "
            "(compare the pillars both have)",
            soft_wrap=True,
        )
    gaps = [
        (lp.name, lp.score - rp.score)
        for lp, rp in zip(left.pillars, right.pillars, strict=True)
        if lp.score is not None and rp.score is not None
    ]
    if gaps and not args.quiet:
        name, gap = max(gaps, key=lambda g: abs(g[1]))
        leader = left.city_name if gap > 0 else right.city_name
        console.print(
            f"widest gap: {escape(name)}, {abs(gap):.1f} points in favour of {escape(leader)}"
        )
    return 0
