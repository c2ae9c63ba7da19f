"""`citydip explain CITY [--pillar P]`: the indicators behind a city's scores, with provenance."""

from __future__ import annotations

import argparse

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipelines.cli.card import rank_text, score_text
from pipelines.cli.reading import add_quiet, reading
from pipelines.read.city_card import format_value, load_card, resolve_city, resolve_pillar


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="the indicator contributions behind a city's scores",
        description="Per pillar: each indicator's value, 0-100 score, weight, contribution, "
        "the source and year of the figure used, flags and provenance (payload hash).",
    )
    parser.add_argument("city", help="city name or id")
    parser.add_argument("--pillar", help="only this pillar (key or name, e.g. economy)")
    parser.add_argument(
        "--year", type=int, help="scorecard year (default: the edition's headline year)"
    )
    add_quiet(parser)
    parser.set_defaults(handler=reading(run))


def _points(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def run(args: argparse.Namespace, con: duckdb.DuckDBPyConnection, console: Console) -> int:
    city_id = resolve_city(con, args.city)
    wanted = resolve_pillar(con, args.pillar) if args.pillar else None
    card = load_card(con, city_id, args.year)
    if not args.quiet:
        console.print(
            f"[bold]{escape(card.city_name)}[/] — {escape(card.year_label)}: overall "
            f"{score_text(card.overall_score)}, rank {escape(rank_text(card))}"
        )
    note = 0
    for pillar in card.pillars:
        if wanted and pillar.pillar != wanted:
            continue
        rank = f" (rank {pillar.rank})" if pillar.rank else ""
        table = Table(
            title=f"{escape(pillar.name)}: {score_text(pillar.score)}{rank}", title_justify="left"
        )
        columns = ["#", "indicator", "value", "score", "weight"]
        if card.has_contributions:
            columns += ["pillar pts", "overall pts"]
        columns += ["year", "source", "flags"]
        for column in columns:
            wide = column == "indicator"
            table.add_column(column, overflow="fold", min_width=None if wide else len(column))
        lines = card.indicators_of(pillar.pillar)
        notes = []
        for i in lines:
            note += 1
            contribution = []
            if card.has_contributions:
                contribution = [
                    _points(i.contribution_to_pillar),
                    _points(i.contribution_to_overall),
                ]
            table.add_row(
                str(note),
                escape(i.name),
                format_value(i.value, i.unit),
                f"{i.score:.1f}",
                f"{i.weight:g}",
                *contribution,
                str(i.data_year),
                escape(i.source_id),
                ", ".join(i.flags),
            )
            notes.append(f"  {note}. {escape(i.provenance)}")
        if not lines:
            table.add_row("", "no indicator of this pillar has data", *[""] * (len(columns) - 2))
        console.print(table)
        if notes:
            console.print("[dim]provenance:[/]\n" + "\n".join(notes), soft_wrap=True)
    return 0
