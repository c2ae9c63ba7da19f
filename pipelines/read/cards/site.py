"""Render the cards site from the published warehouse only: index.html, <city>.html and the
statistical audit, audit.html.

The site is written into a new folder and swapped in, so a reader never sees half a site.
Jinja2 autoescapes every value; charts are inline SVG, so pages work offline without JS.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

from pipelines.read.audit import Audit, load_audit
from pipelines.read.cards.changes import city_changes
from pipelines.read.cards.charts import (
    city_colours,
    heat_map,
    index_bar,
    interval_glyph,
    pillar_profile,
    trend_chart,
)
from pipelines.read.cards.data import SiteData, load_site
from pipelines.read.cards.swap import publish_site
from pipelines.read.city_card import CityCard, format_value, has_relation
from pipelines.read.reader import open_published
from pipelines.settings import REPO_ROOT

METHODOLOGY = REPO_ROOT / "docs" / "methodology.md"


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


def page_name(city_id: str, year: int | None = None, suffix: str = "html") -> str:
    """The city's page (or CSV) for a year: <city>.html for the headline year,
    <city>.<year>.html for the others. Ids come from a seed, so refuse anything not a slug."""
    if not SAFE_CITY_ID.match(city_id):
        raise ValueError(f"city id {city_id!r} is not a safe file name (a-z, 0-9, -)")
    return f"{city_id}.{suffix}" if year is None else f"{city_id}.{year}.{suffix}"


def slug(title: str) -> str:
    """A heading's anchor, as GitHub makes it: "7. Weight and aggregate" -> 7-weight-and-aggregate."""
    kept = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return kept.replace(" ", "-")


# The methodology section behind each figure the cards show (headings of docs/methodology.md).
METHOD = {
    "indicator": "The indicators, and why these",
    "proxy": "1. Harmonise: geography, proxies, denominators",
    "year": "2. Select the edition year; indicator coverage",
    "coverage": "3. Pillar coverage",
    "imputed": "4. Impute",
    "outlier": "5. Treat outliers",
    "score": "6. Normalise",
    "weight": "7. Weight and aggregate",
    "overall": "7. Weight and aggregate",
    "rank": "8. Ranks and year-on-year change",
    "interval": "9. Uncertainty: weights and method",
    "contribution": "10. Explain",
    "audit": "11. Statistical audit",
}


def method_href(figure: str) -> str:
    return f"methodology.html#{slug(METHOD[figure])}"


def methodology_html(markdown: str) -> str:
    """docs/methodology.md as HTML (markdown-it-py, raw HTML off), headings with anchors."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(markdown)
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type == "heading_open":
            opening.attrSet("id", slug(inline.content))
    return md.renderer.render(tokens, md.options, {})


class Pages:
    """File names for a year's pages: the headline year's are the short ones."""

    def __init__(self, year: int, headline: int | None):
        self.year = year
        self.tag = None if year == headline else year
        self.headline = headline

    def index(self, year: int | None = None) -> str:
        year = self.year if year is None else year
        return "index.html" if year == self.headline else f"index.{year}.html"

    def compare(self, year: int | None = None) -> str:
        year = self.year if year is None else year
        return "compare.html" if year == self.headline else f"compare.{year}.html"

    def city(self, city_id: str, year: int | None = None, suffix: str = "html") -> str:
        year = self.year if year is None else year
        return page_name(city_id, None if year == self.headline else year, suffix)


CSV_COLUMNS = [
    "city_id", "city", "year", "level", "pillar", "indicator_id", "indicator", "value", "unit",
    "score", "rank", "of_cities", "coverage", "weight", "contribution_to_pillar",
    "contribution_to_overall", "data_year", "flags", "source_id", "payload_sha256",
]  # fmt: skip


def card_csv(card: CityCard, data: SiteData) -> str:
    """The card's numbers: the overall score, each pillar, each indicator, one row each."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    base = {"city_id": card.city_id, "city": card.city_name, "year": card.year}

    def row(**fields: object) -> None:
        writer.writerow(base | fields)

    row(
        level="overall",
        score=card.overall_score,
        rank=card.overall_rank,
        of_cities=card.cities_ranked,
    )
    for p in card.pillars:
        cover = data.pillar_coverage(card.city_id, card.year, p.pillar)
        row(level="pillar", pillar=p.pillar, score=p.score, rank=p.rank, coverage=cover.text)
    for i in card.indicators:
        rank = data.indicator_rank(card.city_id, card.year, i.indicator_id)
        row(
            level="indicator",
            pillar=i.pillar,
            indicator_id=i.indicator_id,
            indicator=i.name,
            value=i.value,
            unit=i.unit,
            score=i.score,
            rank=rank.rank if rank else None,
            of_cities=rank.cities if rank else None,
            weight=i.weight,
            contribution_to_pillar=i.contribution_to_pillar,
            contribution_to_overall=i.contribution_to_overall,
            data_year=i.data_year,
            flags=" ".join(i.flags),
            source_id=i.source_id,
            payload_sha256=i.payload_sha256,
        )
    return out.getvalue()


def render_site(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    on_card: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write, for every ranked year, an index, a comparison page and a page and a CSV per
    ranked city (the headline year's under the short names), the audit, the methodology and
    the sources. The warehouse is read once (`load_site`), not once per card."""
    env = environment()
    data = load_site(con)
    about = edition(con)
    headline = data.headline
    written: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)

    def write(name: str, text: str) -> None:
        path = target / name
        path.write_text(text)
        written.append(path)

    audit = load_audit(con, headline) if headline is not None else None
    common = {
        "edition": about,
        "years": data.years,
        "method": method_href,
        "data": data,
        "has_audit": audit is not None,
    }
    partial = {y.year for y in data.years if y.is_partial}
    ranked_in: dict[str, set[int]] = {}
    for year, year_cards in data.cards.items():
        for c in year_cards:
            ranked_in.setdefault(c.city_id, set()).add(year)
    for choice in data.years:
        pages = Pages(choice.year, headline)
        cards = data.cards.get(choice.year, [])
        here = common | {"pages": pages, "choice": choice, "year": choice.year}
        for card in cards:
            write(
                pages.city(card.city_id),
                env.get_template("city.html.j2").render(
                    here
                    | {
                        "card": card,
                        "trend": trend_chart(card.trend, partial=partial),
                        "glyph": interval_glyph(
                            card.overall_rank, card.rank_interval, card.cities_ranked
                        ),
                        "year_href": city_year_href(pages, card.city_id, ranked_in[card.city_id]),
                        "changes": city_changes(con, card.city_id, choice.year)
                        if choice.is_headline
                        else None,
                    }
                ),
            )
            write(pages.city(card.city_id, suffix="csv"), card_csv(card, data))
            if on_card and choice.is_headline:
                on_card(card.city_name)
        write(
            pages.index(),
            env.get_template("index.html.j2").render(
                here
                | {
                    "cards": cards,
                    "pillars": list(data.pillars.items()),
                    "glyph": lambda c: interval_glyph(
                        c.overall_rank, c.rank_interval, c.cities_ranked
                    ),
                }
            ),
        )
        write(pages.compare(), render_compare(env, here, cards, data))
    if audit is not None:
        write(
            "audit.html",
            render_audit(env, audit, about, common | {"pages": Pages(headline, headline)}),
        )
    if METHODOLOGY.exists():
        write(
            "methodology.html",
            env.get_template("methodology.html.j2").render(
                common
                | {
                    "pages": Pages(headline, headline),
                    "body": methodology_html(METHODOLOGY.read_text()),
                }
            ),
        )
    write(
        "sources.html",
        env.get_template("sources.html.j2").render(
            common
            | {
                "pages": Pages(headline, headline),
                "sources": data.sources,
                "catalogue": source_catalogue(),
            }
        ),
    )
    return written


def city_year_href(pages: Pages, city_id: str, years: set[int]) -> Callable[[int], str | None]:
    """The city's page of a year, where it is ranked in that year."""
    return lambda year: pages.city(city_id, year) if year in years else None


def source_catalogue() -> dict[str, dict[str, str]]:
    """Each provider's title, publisher, licence and API root, as its module declares them (the
    code of the edition being rendered; the payloads themselves are named by the warehouse)."""
    from sources import SOURCES  # the provider modules: imported only to render the sources

    return {
        s.id: {
            "title": s.title,
            "publisher": s.publisher,
            "licence": s.licence,
            "base_url": s.default_base_url,
            "description": s.description,
        }
        for s in SOURCES.values()
    }


def render_compare(env: Environment, here: dict, cards: list[CityCard], data: SiteData) -> str:
    """compare.html: every ranked city's pillar profile; the address chooses which to show."""
    names = {c.city_id: c.city_name for c in cards}
    rows = [("Overall", {c.city_id: (c.overall_score, c.overall_rank) for c in cards})]
    for key, name in data.pillars.items():
        rows.append(
            (
                name,
                {
                    c.city_id: next((p.score, p.rank) for p in c.pillars if p.pillar == key)
                    for c in cards
                },
            )
        )
    return env.get_template("compare.html.j2").render(
        here
        | {
            "cards": cards,
            "profiles": [
                ("profile-wide", pillar_profile(rows, names)),
                ("profile-narrow", pillar_profile(rows, names, width=360, labels_above=True)),
            ],
            "colours": city_colours(list(names)),
            "default": [c.city_id for c in cards[:2]],
        }
    )


def render_audit(env: Environment, audit: Audit, about: Edition, extra: dict | None = None) -> str:
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
        (extra or {})
        | dict(
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
    )


def build_site(
    published: Path, cards_dir: Path, on_card: Callable[[str], None] | None = None
) -> list[Path]:
    """Render from the published file into a new version folder, then swap it in for cards_dir
    by one atomic rename (pipelines/read/cards/swap.py)."""

    def render(folder: Path) -> list[Path]:
        with open_published(published) as con:
            return render_site(con, folder, on_card)

    written = publish_site(cards_dir, render)
    return [cards_dir / p.name for p in written]
