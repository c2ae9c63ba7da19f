"""Geometry for the inline SVG charts: numbers only, the templates draw (and escape) the rest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipelines.read.city_card import RankInterval, TrendPoint


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    year: int
    partial: bool = False


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    points: list[Point]
    polyline: str
    y_ticks: list[tuple[float, str]]


def trend_chart(
    trend: list[TrendPoint],
    width: int = 560,
    height: int = 180,
    partial: frozenset[int] | set[int] = frozenset(),
) -> TrendChart | None:
    """Overall score (0-100) over the years: a polyline with one labelled point per year; the
    partial years' points are marked (hollow, "partial year" in their label)."""
    if not trend:
        return None
    left, right, top, bottom = 36, 24, 12, 28
    span = max(len(trend) - 1, 1)
    inner_w, inner_h = width - left - right, height - top - bottom

    def y_of(score: float) -> float:
        return round(top + inner_h * (1 - score / 100), 1)

    points = [
        Point(
            x=round(left + inner_w * (i / span if len(trend) > 1 else 0.5), 1),
            y=y_of(t.score),
            label=f"{t.year}: {t.score:.1f} (rank {t.rank})"
            + (", partial year" if t.year in partial else ""),
            year=t.year,
            partial=t.year in partial,
        )
        for i, t in enumerate(trend)
    ]
    return TrendChart(
        width=width,
        height=height,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        y_ticks=[(y_of(v), str(v)) for v in (0, 50, 100)],
    )


@dataclass(frozen=True)
class IntervalGlyph:
    width: int
    rank_x: float
    low_x: float | None
    high_x: float | None


def interval_glyph(
    rank: int, interval: RankInterval | None, cities: int, width: int = 120
) -> IntervalGlyph:
    """Rank 1 on the left to rank N on the right, with the 90% interval as a line."""
    pad = 6

    def x_of(r: float) -> float:
        return round(pad + (width - 2 * pad) * ((r - 1) / max(cities - 1, 1)), 1)

    return IntervalGlyph(
        width=width,
        rank_x=x_of(rank),
        low_x=x_of(interval.p05) if interval else None,
        high_x=x_of(interval.p95) if interval else None,
    )


@dataclass(frozen=True)
class HeatCell:
    x: float
    y: float
    colour: str
    text: str  # r to one decimal, shown in the cell
    text_colour: str  # white on the dark cells
    title: str  # the pair and r, on hover


@dataclass(frozen=True)
class HeatMap:
    width: int
    height: int
    cell: int
    left: int  # where the cells start: the row labels are to their left
    top: int
    rows: list[tuple[float, str]]  # (y, "n  name") per component
    columns: list[tuple[float, str]]  # (x, "n") per component
    cells: list[HeatCell]


def diverging_colour(r: float | None) -> str:
    """Blue for +1, white for 0, red for -1; grey without a correlation."""
    if r is None:
        return "#d9dde3"
    r = max(-1.0, min(1.0, r))
    end = (33, 102, 172) if r >= 0 else (178, 24, 43)
    mix = [round(255 + (c - 255) * abs(r)) for c in end]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def heat_map(
    components: list[str],
    names: dict[str, str],
    correlation: Callable[[str, str], float | None],
    cell: int = 24,
    left: int = 380,
) -> HeatMap:
    """The correlation matrix as cells; rows named, columns numbered like the rows."""
    top = 20
    cells = []
    for i, a in enumerate(components):
        for j, b in enumerate(components):
            r = correlation(a, b)
            cells.append(
                HeatCell(
                    x=left + j * cell,
                    y=top + i * cell,
                    colour=diverging_colour(r),
                    text="" if r is None else f"{r:.1f}".replace("-0.0", "0.0"),
                    text_colour="#ffffff" if r is not None and abs(r) > 0.6 else "#1d2733",
                    title=f"{names.get(a, a)} × {names.get(b, b)}: "
                    + ("no value" if r is None else f"r = {r:.2f}"),
                )
            )
    return HeatMap(
        width=left + cell * len(components) + 4,
        height=top + cell * len(components) + 4,
        cell=cell,
        left=left,
        top=top,
        rows=[
            (top + i * cell + cell * 0.65, f"{i + 1}  {names.get(a, a)}")
            for i, a in enumerate(components)
        ],
        columns=[(left + j * cell + cell / 2, str(j + 1)) for j in range(len(components))],
        cells=cells,
    )


@dataclass(frozen=True)
class IndexBar:
    """A Sobol index pair on a 0-1 axis: the bars' ends and their confidence intervals."""

    width: int
    first_x: float
    first_low: float
    first_high: float
    total_x: float
    total_low: float
    total_high: float


def index_bar(
    first: float, first_conf: float, total: float, total_conf: float, width: int = 260
) -> IndexBar:
    def x_of(value: float) -> float:
        return round(width * max(0.0, min(1.0, value)), 1)

    return IndexBar(
        width=width,
        first_x=x_of(first),
        first_low=x_of(first - first_conf),
        first_high=x_of(first + first_conf),
        total_x=x_of(total),
        total_low=x_of(total - total_conf),
        total_high=x_of(total + total_conf),
    )


# One colour per city on the comparison chart, distinct and readable on white.
CITY_COLOURS = (
    "#1f5fa8",
    "#c0392b",
    "#2e8b57",
    "#8e44ad",
    "#d35400",
    "#16a085",
    "#7f6a00",
    "#c2185b",
    "#455a64",
    "#5d4037",
)


@dataclass(frozen=True)
class ProfileDot:
    city_id: str
    x: float
    y: float
    colour: str
    title: str  # "<city> — <pillar>: <score> (rank <n>)"


@dataclass(frozen=True)
class PillarProfile:
    """The pillar-profile dot plot: one row per pillar (and the overall score), one dot per
    city on a 0-100 axis. Every city is drawn; the page's script shows the chosen ones."""

    width: int
    height: int
    left: int
    right: int
    rows: list[tuple[float, str]]  # (y, label)
    labels_above: bool
    ticks: list[tuple[float, str]]  # (x, label)
    dots: list[ProfileDot]


def pillar_profile(
    rows: list[tuple[str, dict[str, tuple[float | None, int | None]]]],
    city_names: dict[str, str],
    width: int = 640,
    row_height: int = 34,
    labels_above: bool = False,
) -> PillarProfile:
    """rows: (label, {city_id: (score, rank)}) from the top; cities without a score get no dot.
    labels_above puts each row's label above its line (a narrow chart for phones), else left."""
    left, right, top = (12, 12, 22) if labels_above else (150, 16, 22)
    if labels_above:
        row_height += 14
    inner = width - left - right

    def x_of(score: float) -> float:
        return round(left + inner * max(0.0, min(100.0, score)) / 100, 1)

    colours = city_colours(list(city_names))
    # each city a little above or below the row's line, so close scores do not hide each other
    offset = {c: (i - (len(city_names) - 1) / 2) * 2.5 for i, c in enumerate(city_names)}
    dots = []
    labels = []
    for r, (label, scores) in enumerate(rows):
        y = top + row_height * r + row_height / 2 + (7 if labels_above else 0)
        labels.append((y - 18, label) if labels_above else (y, label))
        for city_id, (score, rank) in scores.items():
            if score is None:
                continue
            where = f" (rank {rank})" if rank is not None else ""
            dots.append(
                ProfileDot(
                    city_id=city_id,
                    x=x_of(score),
                    y=round(y + offset.get(city_id, 0.0), 1),
                    colour=colours.get(city_id, CITY_COLOURS[0]),
                    title=f"{city_names.get(city_id, city_id)} — {label}: {score:.1f}{where}",
                )
            )
    return PillarProfile(
        width=width,
        height=top + row_height * len(rows) + 6,
        left=left,
        right=right,
        rows=labels,
        labels_above=labels_above,
        ticks=[(x_of(v), str(v)) for v in (0, 25, 50, 75, 100)],
        dots=dots,
    )


def city_colours(city_ids: list[str]) -> dict[str, str]:
    return {c: CITY_COLOURS[i % len(CITY_COLOURS)] for i, c in enumerate(city_ids)}
