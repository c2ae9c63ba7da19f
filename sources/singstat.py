"""SingStat Table Builder: table M550001, international visitor arrivals to Singapore, monthly.

JSON API, no key: `GET {base}/table/tabledata/M550001?offset=..&limit=..` returns
`{"Data": {"row": [{"seriesNo", "rowText", "columns": [{"key": "2024 Dec", "value": "..."}]}]}}`
with string values and `%Y %b` column keys. citydip sums the "Total International Visitor
Arrivals" row over the twelve months of every complete calendar year. Licence: Singapore Open
Data Licence.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import pandas as pd

from sources.errors import SourceError
from sources.http import Client
from sources.observation import json_document, observation_frame, observation_schema
from sources.payload import Part, Payload
from sources.source import MONTHLY, Source

SOURCE_ID = "singstat"
TABLE = "M550001"
CITY_ID = "singapore"
TOTAL_ROW = "total international visitor arrivals"
PAGE_SIZE = 100  # rows (series) per page
INDICATORS = {"city_visitor_arrivals": "persons"}


def table_url(base: str) -> str:
    return f"{base}/table/tabledata/{TABLE}"


def fetch(client: Client, base: str) -> list[Part]:
    """Page through the table's series with offset/limit until a short page."""
    url, parts = table_url(base), []
    for page in range(client.max_pages + 1):
        if page == client.max_pages:
            raise SourceError(SOURCE_ID, url, f"more than {client.max_pages} pages", "offset")
        part = client.get(url, params={"offset": page * PAGE_SIZE, "limit": PAGE_SIZE})
        parts.append(part)
        if len(_rows(part)) < PAGE_SIZE:
            return parts
    return parts


def _rows(part: Part) -> list[dict]:
    try:
        part.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(SOURCE_ID, part.url, f"not UTF-8: {exc.reason}", "body") from None
    document = json_document(SOURCE_ID, part)
    if not isinstance(document, dict):
        raise SourceError(SOURCE_ID, part.url, "expected a JSON object", "Data")
    status = document.get("StatusCode")
    if status not in (None, 200, "200"):
        message = document.get("Message") or "no message"
        raise SourceError(SOURCE_ID, part.url, f"provider error {status}: {message}", "StatusCode")
    data = document.get("Data")
    if not isinstance(data, dict) or not isinstance(data.get("row"), list):
        raise SourceError(SOURCE_ID, part.url, "no Data.row list in the response", "Data.row")
    return data["row"]


def monthly_totals(part: Part, rows: list[dict]) -> dict[tuple[int, int], float] | None:
    """The total row's value per (year, month); None when this page has no total row."""
    totals = [r for r in rows if str(r.get("rowText", "")).strip().lower().startswith(TOTAL_ROW)]
    if not totals:
        return None
    if len(totals) > 1:
        raise SourceError(SOURCE_ID, part.url, "more than one total row", "rowText")
    columns = totals[0].get("columns")
    if not isinstance(columns, list):
        raise SourceError(SOURCE_ID, part.url, "total row has no columns list", "columns")
    months: dict[tuple[int, int], float] = {}
    for column in columns:
        key, raw = column.get("key"), column.get("value")
        try:
            month = datetime.strptime(str(key).strip(), "%Y %b")
        except ValueError:
            raise SourceError(
                SOURCE_ID, part.url, f"column key {key!r} is not '%Y %b'", "columns.key"
            ) from None
        if (month.year, month.month) in months:
            raise SourceError(SOURCE_ID, part.url, f"duplicate month {key!r}", "columns.key")
        try:
            value = float(str(raw).replace(",", ""))
        except ValueError:
            raise SourceError(
                SOURCE_ID, part.url, f"non-numeric value {raw!r} for {key}", "columns.value"
            ) from None
        if value < 0:
            raise SourceError(
                SOURCE_ID, part.url, f"negative value {raw!r} for {key}", "columns.value"
            )
        months[(month.year, month.month)] = value
    return months


def parse(payload: Payload) -> pd.DataFrame:
    months: dict[tuple[int, int], float] = {}
    series, found_total = 0, False
    for part in payload.parts:
        rows = _rows(part)
        series += len(rows)
        totals = monthly_totals(part, rows)
        if totals is not None:
            found_total = True
            months.update(totals)
    first = payload.parts[0].url
    if not series:
        raise SourceError(SOURCE_ID, first, "no rows (empty result)", "Data.row")
    if not found_total:
        raise SourceError(
            SOURCE_ID, first, "no 'Total International Visitor Arrivals' row", "rowText"
        )
    by_year: dict[int, list[float]] = defaultdict(list)
    for (year, _month), value in months.items():
        by_year[year].append(value)
    rows = [
        {
            "indicator_id": "city_visitor_arrivals",
            "geo_id": CITY_ID,
            "geo_level": "city",
            "period": year,
            "value": sum(values),
            "unit": "persons",
            "approximate": False,
        }
        for year, values in sorted(by_year.items())
        if len(values) == 12
    ]
    return observation_frame(rows, payload)


SOURCE = Source(
    id=SOURCE_ID,
    title="SingStat Table Builder M550001: international visitor arrivals",
    publisher="Singapore Department of Statistics (data from the Singapore Tourism Board)",
    licence="Singapore Open Data Licence",
    default_base_url="https://tablebuilder.singstat.gov.sg/api",
    cadence=MONTHLY,
    indicators=INDICATORS,
    fetch=fetch,
    parse=parse,
    # not allow_empty: the table holds many complete years (the snapshot 2008-2025), so a
    # response that yields none is wrong
    schema=observation_schema(SOURCE_ID, INDICATORS, geo_ids={CITY_ID}),
    description="Annual international visitor arrivals to Singapore: the monthly total row of "
    "table M550001 summed over complete calendar years.",
)
