"""Render the cards site from the published warehouse only: index.html, <city>.html and the
statistical audit, audit.html.

The site is written into a new folder and swapped in, so a reader never sees half a site.
Jinja2 autoescapes every value; charts are inline SVG, so pages work offline without JS.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

from pipelines.read.audit import Audit, load_audit
from pipelines.read.cards.changes import city_changes
from pipelines.read.cards.charts import heat_map, index_bar, interval_glyph, trend_chart
from pipelines.read.city_card import (
    CityCard,
    format_value,
    has_relation,
    latest_year,
    load_card,
    pillar_names,
    ranked_city_ids,
)
from pipelines.read.reader import open_published


@dataclass(frozen=True)
class Edition:
    published_at: str
    git_commit: str
    dbt_vars: str


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("pipelines.read.cards", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["score"] = lambda v: "—" if v is None else f"{v:.1f}"
    env.filters["value"] = lambda i: format_value(i.value, i.unit)
    return env


def edition(con: duckdb.DuckDBPyConnection) -> Edition:
    facts: dict[str, str] = {}
    if has_relation(con, "_citydip_meta"):
        facts = dict(
            con.execute(
                "select name, value from _citydip_meta where section = 'edition'"
            ).fetchall()
        )
    return Edition(
        published_at=facts.get("published_at", "unknown"),
        git_commit=facts.get("git_commit", "unknown")[:12],
        dbt_vars=facts.get("dbt_vars", "{}"),
    )


SAFE_CITY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def page_name(city_id: str) -> str:
    """The city's page file; ids come from a seed, so refuse anything that is not a slug."""
    if not SAFE_CITY_ID.match(city_id):
        raise ValueError(f"city id {city_id!r} is not a safe file name (a-z, 0-9, -)")
    return f"{city_id}.html"


def render_site(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    on_card: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write index.html and one page per scored city of the newest year into `target`."""
    env = environment()
    year = latest_year(con)
    cards: list[CityCard] = [load_card(con, c, year) for c in ranked_city_ids(con, year)]
    about = edition(con)
    names = pillar_names(con)
    written = []
    target.mkdir(parents=True, exist_ok=True)
    for card in cards:
        path = target / page_name(card.city_id)
        path.write_text(
            env.get_template("city.html.j2").render(
                card=card,
                edition=about,
                trend=trend_chart(card.trend),
                glyph=interval_glyph(card.overall_rank, card.rank_interval, card.cities_ranked),
                page_name=page_name,
                changes=city_changes(con, card.city_id, year),
            )
        )
        written.append(path)
        if on_card:
            on_card(card.city_name)
    audit = load_audit(con, year)
    if audit is not None:
        path = target / "audit.html"
        path.write_text(render_audit(env, audit, about))
        written.append(path)
    index = target / "index.html"
    index.write_text(
        env.get_template("index.html.j2").render(
            year=year,
            cards=cards,
            pillars=list(names.items()),
            edition=about,
            glyph=lambda c: interval_glyph(c.overall_rank, c.rank_interval, c.cities_ranked),
            page_name=page_name,
            has_audit=audit is not None,
        )
    )
    written.append(index)
    return written


def render_audit(env: Environment, audit: Audit, about: Edition) -> str:
    """audit.html: coherence, the correlation heat map, flags, weights and Sobol bars."""
    largest = {
        level: max(
            max(w.nominal_weight_in_overall, w.effective_weight_in_overall or 0)
            for w in audit.weights
            if w.level == level
        )
        for level in {w.level for w in audit.weights}
    }
    return env.get_template("audit.html.j2").render(
        audit=audit,
        edition=about,
        heat=heat_map(audit.components, audit.names, audit.correlation),
        weights=audit.weights,
        scale={level: 100 / value if value else 0 for level, value in largest.items()},
        bars={
            i.factor: index_bar(
                i.first_order, i.first_order_conf, i.total_order, i.total_order_conf
            )
            for i in audit.average_rank_shift
        },
        page_name=page_name,
    )


def build_site(
    published: Path, cards_dir: Path, on_card: Callable[[str], None] | None = None
) -> list[Path]:
    """Render from the published file into a new folder, then swap it in for cards_dir."""
    fresh = cards_dir.with_name(f".{cards_dir.name}.{os.getpid()}.new")
    old = cards_dir.with_name(f".{cards_dir.name}.{os.getpid()}.old")
    shutil.rmtree(fresh, ignore_errors=True)
    with open_published(published) as con:
        written = render_site(con, fresh, on_card)
    if cards_dir.exists():
        os.replace(cards_dir, old)
    os.replace(fresh, cards_dir)
    shutil.rmtree(old, ignore_errors=True)
    return [cards_dir / p.name for p in written]
