"""`citydip diff [A] [B]`: each city's change of overall score and rank between two editions,
split exactly among its causes (new data, revisions, method, coverage) and down to indicators."""

from __future__ import annotations

import argparse
import csv
import json
import sys

import duckdb
from rich.console import Console
from rich.table import Table

from pipelines.cli.reading import EXIT_USAGE, add_quiet, reading

CAUSES = ("new_data", "revisions", "method", "coverage")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="what changed between two editions, and why (new data, revisions, method, coverage)",
        description="For each city, the change in overall score and rank between edition A and "
        "edition B (default: the previous and the newest), split exactly among its causes by "
        "Shapley values over re-scorings with each cause on and off, then among the indicators "
        "that carried it; and the anomalies of B. Editions: `select * from edition_history`.",
    )
    parser.add_argument("older", nargs="?", type=int, help="edition A (default: B's previous)")
    parser.add_argument("newer", nargs="?", type=int, help="edition B (default: the newest)")
    parser.add_argument("--year", type=int, help="scorecard year (default: the newest common)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    add_quiet(parser)
    parser.set_defaults(handler=reading(run))


class DiffError(ValueError):
    pass


def editions(con: duckdb.DuckDBPyConnection) -> dict[int, int | None]:
    """{edition_id: previous_edition_id} of the published file's history."""
    tables = {n for (n,) in con.execute("select table_name from duckdb_tables()").fetchall()}
    if "edition_history" not in tables:
        return {}
    return dict(
        con.execute("select edition_id, previous_edition_id from edition_history").fetchall()
    )


def resolve(
    con: duckdb.DuckDBPyConnection, older: int | None, newer: int | None
) -> tuple[int, int]:
    known = editions(con)
    if not known:
        raise DiffError("this warehouse keeps no editions yet: run `citydip refresh`")
    newer = max(known) if newer is None else newer
    if older is None:
        older = known.get(newer)
        if older is None and newer in known:
            raise DiffError(f"edition {newer} is the first one kept: nothing to compare it with")
    for edition in (older, newer):
        if edition not in known:
            listed = ", ".join(str(e) for e in sorted(known))
            raise DiffError(f"no edition {edition} to compare (editions: {listed})")
    return older, newer


def attribution(con: duckdb.DuckDBPyConnection, older: int, newer: int):
    """(rows, items) as data frames: the mart's rows when publish stored this pair, else
    computed now from the history tables."""
    stored = con.execute(
        "select count(*) from edition_attribution where edition_id = ? and previous_edition_id = ?",
        [newer, older],
    ).fetchone()[0]
    if stored:
        query = "select * from {} where edition_id = ? and previous_edition_id = ?"
        rows = con.execute(query.format("edition_attribution"), [newer, older]).df()
        items = con.execute(query.format("edition_attribution_item"), [newer, older]).df()
        return rows, items
    from pipelines.editions.attribution import attribute, load_edition

    return attribute(load_edition(con, older), load_edition(con, newer))


def run(args: argparse.Namespace, con: duckdb.DuckDBPyConnection, console: Console) -> int:
    try:
        older, newer = resolve(con, args.older, args.newer)
    except DiffError as exc:
        Console(stderr=True).print(f"[red]citydip diff:[/] {exc}")
        return EXIT_USAGE
    rows, items = attribution(con, older, newer)
    year = args.year if args.year is not None else (int(rows["year"].max()) if len(rows) else None)
    rows = rows[rows["year"] == year] if year is not None else rows
    items = items[items["year"] == year] if year is not None else items
    anomalies = con.execute(
        "select kind, detail from edition_anomaly where edition_id = ? order by all", [newer]
    ).fetchall()
    if args.format == "json":
        print(json.dumps(as_json(older, newer, year, rows, items, anomalies), indent=2))
    elif args.format == "csv":
        writer = csv.writer(sys.stdout)
        columns = ["year", "city_id", "measure", "old_value", "new_value", "change", *CAUSES]
        writer.writerow(columns)
        for record in rows[columns].itertuples(index=False):
            writer.writerow(record)
    else:
        render(console, older, newer, year, rows, items, anomalies)
    return 0


def _number(value) -> float | None:
    return None if value is None or value != value else float(value)


def as_json(older, newer, year, rows, items, anomalies) -> dict:
    cities = []
    for city, group in rows.groupby("city_id", sort=True):
        entry = {"city_id": city}
        for record in group.to_dict("records"):
            entry[record["measure"]] = {
                "old": _number(record["old_value"]),
                "new": _number(record["new_value"]),
                "change": _number(record["change"]),
                "parts": {k: _number(record[k]) for k in CAUSES},
                "items": [
                    {"cause": i["cause"], "item": i["item"], "part": float(i["part"])}
                    for i in items[
                        (items["city_id"] == city) & (items["measure"] == record["measure"])
                    ].to_dict("records")
                ],
            }
        cities.append(entry)
    return {
        "older": older,
        "newer": newer,
        "year": year,
        "cities": cities,
        "anomalies": [{"kind": k, "detail": d} for k, d in anomalies],
    }


def _signed(value: float, digits: int) -> str:
    return "·" if abs(value) < 0.5 * 10**-digits else f"{value:+.{digits}f}"


def render(console: Console, older, newer, year, rows, items, anomalies) -> None:
    table = Table(title=f"citydip diff: edition {older} → {newer}, scorecard {year}")
    for column in ("city", "rank", "Δ rank", *CAUSES, "score", "Δ score", "main items"):
        table.add_column(column, justify="left" if column in ("city", "main items") else "right")
    wide = rows.pivot(index="city_id", columns="measure")
    for city in wide.sort_values(("new_value", "overall_rank")).index:
        rank = {
            k: wide.loc[city, (k, "overall_rank")]
            for k in ("old_value", "new_value", "change", *CAUSES)
        }
        score = {
            k: wide.loc[city, (k, "overall_score")] for k in ("old_value", "new_value", "change")
        }
        mine = items[(items["city_id"] == city) & (items["measure"] == "overall_score")]
        top = mine.reindex(mine["part"].abs().sort_values(ascending=False).index).head(2)
        table.add_row(
            city,
            f"{rank['old_value']:.0f}→{rank['new_value']:.0f}",
            _signed(rank["change"], 0),
            *(_signed(rank[k], 2) for k in CAUSES),
            f"{score['old_value']:.1f}→{score['new_value']:.1f}",
            _signed(score["change"], 2),
            ", ".join(f"{r.item} ({r.cause} {r.part:+.2f})" for r in top.itertuples()),
        )
    console.print(table)
    console.print(
        "rank parts: Shapley values over the causes (they sum to Δ rank); "
        "rank 1 is best, so a negative change is a rise"
    )
    for kind, detail in anomalies:
        console.print(f"[yellow]anomaly[/] {kind}: {detail}")
