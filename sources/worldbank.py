"""World Bank Indicators API v2: country-level series (tourism, trade, FDI, markets, air, population).

Docs: https://datahelpdesk.worldbank.org/knowledgebase/articles/889392 — licence CC BY 4.0.
The API answers HTTP 200 with a `message` list for bad codes, so errors are read from the body.
"""

from __future__ import annotations

import pandas as pd

from sources.cities import country_codes
from sources.errors import SourceError
from sources.http import Client
from sources.observation import (
    finite_number,
    json_document,
    observation_frame,
    observation_schema,
    whole_number,
)
from sources.payload import Part, Payload
from sources.source import MONTHLY, Source

SOURCE_ID = "worldbank"
FIRST_YEAR, LAST_YEAR = 2010, 2025
PER_PAGE = 1000

# World Bank series -> (citydip indicator id, unit)
SERIES: dict[str, tuple[str, str]] = {
    "ST.INT.ARVL": ("tourism_arrivals", "persons"),
    "ST.INT.RCPT.CD": ("tourism_receipts", "USD current"),
    "NE.EXP.GNFS.CD": ("exports_goods_services", "USD current"),
    "NE.IMP.GNFS.CD": ("imports_goods_services", "USD current"),
    "BX.KLT.DINV.CD.WD": ("fdi_net_inflows", "USD current"),
    "CM.MKT.LCAP.CD": ("market_capitalisation", "USD current"),
    "CM.MKT.LDOM.NO": ("listed_domestic_companies", "count"),
    "IS.AIR.PSGR": ("air_passengers", "persons"),
    "SP.POP.TOTL": ("population", "persons"),
}
INDICATORS = dict(SERIES.values())


def series_url(base: str, series: str, countries: list[str]) -> str:
    return f"{base}/country/{';'.join(countries)}/indicator/{series}"


def fetch(client: Client, base: str) -> list[Part]:
    """One paginated request per series for all the cities' countries."""
    parts: list[Part] = []
    for series in SERIES:
        url = series_url(base, series, country_codes())
        page, pages = 1, 1
        while page <= pages:
            client.check_page(page, url)
            params = {
                "format": "json",
                "date": f"{FIRST_YEAR}:{LAST_YEAR}",
                "per_page": PER_PAGE,
                "page": page,
            }
            part = client.get(url, params=params)
            meta = _page_meta(part)
            pages = whole_number(meta.get("pages") or 1, SOURCE_ID, part.url, "pages")
            parts.append(part)
            page += 1
    return parts


def _page_meta(part: Part) -> dict:
    document = json_document(SOURCE_ID, part)
    if not isinstance(document, list) or not document or not isinstance(document[0], dict):
        raise SourceError(SOURCE_ID, part.url, "expected a [metadata, rows] array", "body")
    if "message" in document[0]:
        messages = "; ".join(
            f"{m.get('id')} {m.get('key')}: {m.get('value')}" for m in document[0]["message"]
        )
        raise SourceError(SOURCE_ID, part.url, f"provider error: {messages}", "message")
    return document[0]


def parse(payload: Payload) -> pd.DataFrame:
    rows = []
    for part in payload.parts:
        _page_meta(part)
        document = json_document(SOURCE_ID, part)
        if len(document) < 2 or document[1] is None:
            continue  # a valid query with no rows
        for record in document[1]:
            try:
                series = record["indicator"]["id"]
                geo_id = record["countryiso3code"]
                date, value = record["date"], record["value"]
            except (KeyError, TypeError) as exc:
                raise SourceError(
                    SOURCE_ID,
                    part.url,
                    f"unexpected record shape: {exc!r}",
                    "indicator.id/countryiso3code/date/value",
                ) from None
            if series not in SERIES:
                raise SourceError(SOURCE_ID, part.url, f"unknown series {series!r}", "indicator.id")
            if value is None:
                continue
            indicator_id, unit = SERIES[series]
            rows.append(
                {
                    "indicator_id": indicator_id,
                    "geo_id": geo_id,
                    "geo_level": "country",
                    "period": whole_number(date, SOURCE_ID, part.url, "date"),
                    "value": finite_number(value, SOURCE_ID, part.url, "value"),
                    "unit": unit,
                    "approximate": False,
                }
            )
    if not rows:
        raise SourceError(
            SOURCE_ID, payload.parts[0].url, "no observations in any response", "value"
        )
    return observation_frame(rows, payload)


SOURCE = Source(
    id=SOURCE_ID,
    title="World Bank Indicators API v2",
    publisher="World Bank, World Development Indicators",
    licence="CC BY 4.0",
    default_base_url="https://api.worldbank.org/v2",
    cadence=MONTHLY,
    indicators=INDICATORS,
    fetch=fetch,
    parse=parse,
    schema=observation_schema(
        SOURCE_ID,
        INDICATORS,
        geo_ids=set(country_codes()),
        periods=(FIRST_YEAR, LAST_YEAR),
    ),
    description="Country-level series for tourism, trade, FDI, capital markets, air traffic and "
    "population; a country figure stands in for a city as a proxy (not for city-states).",
)
