"""Hong Kong Immigration Department: statistics on daily passenger traffic (data.gov.hk).

One CSV, no key: a row per day, control point and direction, dates `dd-mm-yyyy`, a UTF-8 BOM and
sometimes a trailing comma on every line. Visitor arrivals = Mainland Visitors + Other Visitors
over the `Arrival` rows; citydip reports the annual sum for every complete calendar year.
data.gov.hk terms of use: free reuse with attribution.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections import defaultdict
from datetime import date, datetime

import pandas as pd

from sources.errors import SourceError
from sources.http import Client
from sources.observation import observation_frame, observation_schema
from sources.payload import Part, Payload
from sources.source import MONTHLY, Source

SOURCE_ID = "hk_immigration"
FILE = "statistics_on_daily_passenger_traffic.csv"
CITY_ID = "hong-kong"
DATE, POINT, DIRECTION = "Date", "Control Point", "Arrival / Departure"
VISITORS = ("Mainland Visitors", "Other Visitors")
REQUIRED = [DATE, POINT, DIRECTION, *VISITORS]
DIRECTIONS = {"Arrival", "Departure"}
INDICATORS = {"city_visitor_arrivals": "persons"}


def fetch(client: Client, base: str) -> list[Part]:
    return [client.get(f"{base}/{FILE}", expect="csv")]


def _count(text: str, line: int, field: str, url: str) -> int:
    cleaned = text.strip().replace(",", "")
    if not cleaned.isdigit():
        kind = "negative" if cleaned.startswith("-") else "non-numeric"
        raise SourceError(SOURCE_ID, url, f"line {line}: {kind} count {text!r}", field)
    return int(cleaned)


def daily_visitor_arrivals(part: Part) -> dict[date, int]:
    """Visitor arrivals per day, summed over control points; strict about the file's shape."""
    try:
        text = part.body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(SOURCE_ID, part.url, f"not UTF-8: {exc.reason}", "body") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or [] if name and name.strip()]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise SourceError(SOURCE_ID, part.url, "missing column(s)", ", ".join(missing))
    reader.fieldnames = [name.strip() if name else name for name in reader.fieldnames or []]
    per_day: dict[date, int] = defaultdict(int)
    seen: set[tuple[str, str, str]] = set()
    for line, row in enumerate(reader, start=2):
        if any(row.get(column) is None for column in REQUIRED):
            raise SourceError(SOURCE_ID, part.url, f"line {line} is truncated", DATE)
        try:
            day = datetime.strptime(row[DATE].strip(), "%d-%m-%Y").date()
        except ValueError:
            raise SourceError(
                SOURCE_ID, part.url, f"line {line}: date {row[DATE]!r} is not dd-mm-yyyy", DATE
            ) from None
        direction = row[DIRECTION].strip()
        if direction not in DIRECTIONS:
            raise SourceError(
                SOURCE_ID, part.url, f"line {line}: unknown direction {direction!r}", DIRECTION
            )
        key = (row[DATE].strip(), row[POINT].strip(), direction)
        if key in seen:
            raise SourceError(
                SOURCE_ID, part.url, f"line {line}: duplicate row for {' / '.join(key)}", POINT
            )
        seen.add(key)
        visitors = sum(_count(row[column], line, column, part.url) for column in VISITORS)
        if direction == "Arrival":
            per_day[day] += visitors
    if not seen:
        raise SourceError(SOURCE_ID, part.url, "no data rows (empty result)", DATE)
    return dict(per_day)


def complete_years(days: set[date]) -> list[int]:
    """Calendar years for which every day is present."""
    by_year: dict[int, int] = defaultdict(int)
    for day in days:
        by_year[day.year] += 1
    return sorted(y for y, n in by_year.items() if n == (366 if calendar.isleap(y) else 365))


def parse(payload: Payload) -> pd.DataFrame:
    per_day: dict[date, int] = {}
    for part in payload.parts:
        per_day.update(daily_visitor_arrivals(part))
    years = complete_years(set(per_day))
    if not years:
        raise SourceError(
            SOURCE_ID,
            payload.parts[0].url,
            f"no complete calendar year between {min(per_day)} and {max(per_day)}",
            DATE,
        )
    rows = [
        {
            "indicator_id": "city_visitor_arrivals",
            "geo_id": CITY_ID,
            "geo_level": "city",
            "period": year,
            "value": float(sum(v for d, v in per_day.items() if d.year == year)),
            "unit": "persons",
            "approximate": False,
        }
        for year in years
    ]
    return observation_frame(rows, payload)


SOURCE = Source(
    id=SOURCE_ID,
    title="Hong Kong Immigration Department: daily passenger traffic",
    publisher="Immigration Department, HKSAR Government (via data.gov.hk)",
    licence="data.gov.hk terms of use (free reuse, attribution)",
    default_base_url="https://www.immd.gov.hk/opendata/eng/transport/immigration_clearance",
    cadence=MONTHLY,
    indicators=INDICATORS,
    fetch=fetch,
    parse=parse,
    schema=observation_schema(SOURCE_ID, INDICATORS, geo_ids={CITY_ID}),
    description="Annual visitor arrivals to Hong Kong (Mainland + Other Visitors over all "
    "arrival control points), for complete calendar years of the daily file.",
)
