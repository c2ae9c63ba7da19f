"""Geometry for the inline SVG charts: numbers only, the templates draw (and escape) the rest."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.read.city_card import RankInterval, TrendPoint


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    year: int


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    points: list[Point]
    polyline: str
    y_ticks: list[tuple[float, str]]


def trend_chart(trend: list[TrendPoint], width: int = 560, height: int = 180) -> TrendChart | None:
    """Overall score (0-100) over the years: a polyline with one labelled point per year."""
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
            label=f"{t.year}: {t.score:.1f} (rank {t.rank})",
            year=t.year,
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
