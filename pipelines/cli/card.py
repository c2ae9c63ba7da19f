"""`citydip card CITY`: a city's card in the terminal."""

from __future__ import annotations

import argparse

import duckdb
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pipelines.cli.reading import add_quiet, reading
from pipelines.read.city_card import CityCard, format_value, load_card, resolve_city


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "card",
        help="print a city's scorecard card",
        description="Scores, ranks, rank interval, top contributions and data-quality flags of "
        "one city, for the edition's headline year (or --year).",
    )
    parser.add_argument("city", help="city name or id, e.g. 'Hong Kong' or hong-kong")
    parser.add_argument(
        "--year", type=int, help="scorecard year (default: the edition's headline year)"
    )
    add_quiet(parser)
    parser.set_defaults(handler=reading(run))


def run(args: argparse.Namespace, con: duckdb.DuckDBPyConnection, console: Console) -> int:
    card = load_card(con, resolve_city(con, args.city), args.year)
    console.print(render(card))
    return 0


def score_text(score: float | None) -> str:
    return "—" if score is None else f"{score:.1f}"


def bar(score: float | None, width: int = 20) -> str:
    if score is None:
        return ""
    filled = round(max(0.0, min(100.0, score)) / 100 * width)
    return "█" * filled + "░" * (width - filled)


def rank_text(card: CityCard) -> str:
    if card.overall_rank is None:
        return f"unranked ({card.overall_missing_reason or 'no overall score'})"
    text = f"{card.overall_rank} of {card.cities_ranked}"
    if card.rank_interval:
        text += f" (90% interval {card.rank_interval.p05:g}–{card.rank_interval.p95:g})"
    return text


def change_text(card: CityCard) -> str:
    if card.score_change is None:
        return ""
    rank = ""
    if card.rank_change:
        rank = f", rank {'up' if card.rank_change > 0 else 'down'} {abs(card.rank_change)}"
    return f"{card.score_change:+.1f} on the year before{rank}"


def render(card: CityCard) -> Panel:
    head = Text.assemble(
        ("overall ", "bold"),
        (score_text(card.overall_score), "bold cyan"),
        "  rank ",
        (rank_text(card), "bold"),
    )
    parts: list = [head]
    if change_text(card):
        parts.append(Text(change_text(card), style="dim"))

    pillars = Table(box=None, pad_edge=False)
    for column, justify in (
        ("pillar", "left"),
        ("score", "right"),
        ("", "left"),
        ("rank", "right"),
        ("coverage", "right"),
    ):
        pillars.add_column(column, justify=justify)
    for p in card.pillars:
        coverage = "no data" if p.coverage is None else f"{p.coverage:.0%}"
        pillars.add_row(p.name, score_text(p.score), bar(p.score), str(p.rank or "—"), coverage)
    parts += [Text(""), pillars]

    top = card.top_contributions()
    listed = top or sorted(card.indicators, key=lambda i: -i.score * i.weight)[:5]
    title = "top contributions" if top else "strongest indicators (0–100 score)"
    lines = Table(box=None, pad_edge=False, title=title, title_justify="left")
    for column in ("indicator", "value", "score", "contribution", "flags"):
        lines.add_column(column, justify="left" if column in ("indicator", "flags") else "right")
    for i in listed:
        contribution = (
            "" if i.contribution_to_overall is None else f"{i.contribution_to_overall:.1f}"
        )
        lines.add_row(
            escape(i.name),
            format_value(i.value, i.unit),
            f"{i.score:.1f}",
            contribution,
            ", ".join(i.flags),
        )
    parts += [Text(""), lines]

    if card.strengths or card.weaknesses:
        standings = Table(
            box=None, pad_edge=False, title="strengths and weaknesses", title_justify="left"
        )
        for column in ("", "indicator", "rank among the cities", "score"):
            standings.add_column(column, justify="right" if column == "score" else "left")
        for kind, lines in (("strength", card.strengths), ("weakness", card.weaknesses)):
            for line in lines:
                standings.add_row(kind, escape(line.name), line.standing, f"{line.score:.1f}")
        parts += [Text(""), standings]

    counts = {
        flag: sum(flag in i.flags for i in card.indicators)
        for flag in ("proxy", "imputed", "approximate")
    }
    quality = ", ".join(f"{n} {flag}" for flag, n in counts.items() if n) or "none"
    parts += [
        Text(""),
        Text(f"data-quality flags: {quality} of {len(card.indicators)} indicators"),
    ]
    if counts["proxy"]:
        parts.append(
            Text(
                "proxy: a national figure standing in for the city that hosts it for its "
                "whole country",
                style="dim",
            )
        )
    if card.caveats is not None:
        parts.append(Text(card.caveats.line, style="dim"))
    return Panel(
        Group(*parts),
        title=f"[bold]{escape(card.city_name)}[/] — {escape(card.year_label)}",
        expand=False,
    )
