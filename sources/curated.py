"""Curated publications: figures with no machine-readable feed, kept as versioned CSV files, one
provenance row per figure (publisher, publication, URL, as-of).

Each publication is its own source (QS, THE, GFCI, regional headquarters, ...), so it has its own
schedule, raw table, fault isolation and lineage; they share one CSV format and one parser here.
A publication's files live in `sources/snapshots/<source id>/`, listed in its manifest.json.
Live mode fetches the same files from `CITYDIP_<SOURCE>_BASE_URL` (default: the repository's raw
URL), so a curator can publish corrections without a release.

To add a publication: its CSV (+ manifest.json and README) under `sources/snapshots/<id>/`, a
`publication(...)` below, and its indicators in `dbt_project/seeds/indicators.csv`.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from functools import partial

import pandas as pd

from sources.cities import load_cities
from sources.errors import SourceError
from sources.http import Client
from sources.observation import PERIODS, observation_frame, observation_schema, whole_number
from sources.payload import Part, Payload
from sources.source import SNAPSHOT_ROOT, YEARLY, Source

REQUIRED = [
    "indicator_id",
    "geo_id",
    "geo_level",
    "period",
    "value",
    "unit",
    "approximate",
    "publisher",
    "publication",
    "source_url",
    "as_of",
]
RAW_ROOT = "https://raw.githubusercontent.com/citydip/citydip/main/sources/snapshots"
# The years a curated figure may carry: none before the contract's first year, none after next
# year (an edition may be named after the year following its release, e.g. QS WUR 2026 in June
# 2025). A year beyond, such as 2099, is a typo and refused with its row.
PUBLISHED = (PERIODS[0], date.today().year + 1)


def files(source_id: str) -> list[str]:
    """The CSV files a publication consists of, as listed in its snapshot manifest."""
    manifest = json.loads((SNAPSHOT_ROOT / source_id / "manifest.json").read_text())
    return [part["file"] for part in manifest["parts"]]


def fetch(source_id: str, client: Client, base: str) -> list[Part]:
    return [client.get(f"{base}/{name}", expect="csv") for name in files(source_id)]


def parse(source_id: str, payload: Payload) -> pd.DataFrame:
    rows = []
    for part in payload.parts:
        try:
            text = part.body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(source_id, part.url, f"not UTF-8: {exc.reason}", "body") from None
        has_rows = "\n" in text.rstrip("\r\n")  # more than a header
        if has_rows and not text.endswith(("\n", "\r")):  # a curated file ends its last row
            raise SourceError(
                source_id, part.url, "file ends mid-row (truncated?): no final line break", "body"
            )
        reader = csv.DictReader(io.StringIO(text), strict=True)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(source_id, part.url, "missing column(s)", ", ".join(missing))
        before = len(rows)
        for line, row in enumerate(_rows(source_id, part.url, reader), start=2):
            if None in row:  # an unquoted comma: the row no longer lines up with the header
                raise SourceError(
                    source_id, part.url, f"row {line} has more fields than the header", "row"
                )
            if None in row.values():  # a row cut short no longer lines up with the header
                raise SourceError(
                    source_id, part.url, f"row {line} has fewer fields than the header", "row"
                )
            if not (row["publisher"] and row["publication"] and row["source_url"]):
                raise SourceError(
                    source_id,
                    part.url,
                    f"row {line} has no provenance",
                    "publisher/publication/source_url",
                )
            try:
                value = float(row["value"])
            except ValueError:
                raise SourceError(
                    source_id, part.url, f"row {line}: non-numeric value {row['value']!r}", "value"
                ) from None
            period = whole_number(row["period"], source_id, part.url, "period")
            rows.append(
                {
                    "indicator_id": row["indicator_id"],
                    "geo_id": row["geo_id"],
                    "geo_level": row["geo_level"],
                    "period": period,
                    "value": value,
                    "unit": row["unit"],
                    "approximate": row["approximate"].strip().lower() == "true",
                }
            )
        if len(rows) == before:  # every curated file carries figures; an empty one lost them
            raise SourceError(source_id, part.url, "no observations in this file", "rows")
    return observation_frame(rows, payload)


def _rows(source_id: str, url: str, reader: csv.DictReader):
    """The reader's rows; a quote left open (a cut or hand-edited file) names the line."""
    try:
        yield from reader
    except csv.Error as exc:
        raise SourceError(
            source_id, url, f"line {reader.line_num}: malformed CSV ({exc})", "row"
        ) from None


def publication(
    source_id: str,
    title: str,
    publisher: str,
    licence: str,
    indicators: dict[str, str],
    description: str,
    periods: tuple[int, int] = PUBLISHED,
) -> Source:
    """One curated publication as a source: its files, its indicators, the shared CSV parser;
    `periods` the first and last year its figures may carry."""
    geo_ids = {c.city_id for c in load_cities()} | {c.country_iso3 for c in load_cities()}
    return Source(
        id=source_id,
        title=title,
        publisher=publisher,
        licence=licence,
        default_base_url=f"{RAW_ROOT}/{source_id}",
        cadence=YEARLY,
        indicators=indicators,
        fetch=partial(fetch, source_id),
        parse=partial(parse, source_id),
        schema=observation_schema(source_id, indicators, geo_ids=geo_ids, periods=periods),
        description=description,
    )


QS_RANKINGS = publication(
    "qs_rankings",
    title="QS World University Rankings: universities per city in the top 100",
    publisher="QS Quacquarelli Symonds",
    licence="Facts derived from the QS tables (not shipped); see each row's provenance",
    indicators={"qs_top100_universities": "count"},
    description="Universities per city in the QS WUR top 100 (editions 2023-2025), derived by "
    "its build.py from published extracts.",
)
THE_RANKINGS = publication(
    "the_rankings",
    title="THE World University Rankings: international-student share",
    publisher="Times Higher Education",
    licence="Facts derived from the THE tables (not shipped); see each row's provenance",
    indicators={"the_intl_student_share": "percent"},
    description="Median 'International Students' share of each city's THE-ranked institutions "
    "(editions 2016-2024), derived by its build.py from a published compilation.",
)
GFCI = publication(
    "gfci",
    title="Global Financial Centres Index (rating and rank)",
    publisher="Z/Yen Group and China Development Institute",
    licence="Short factual citations of the named publication",
    indicators={"gfci_rank": "rank", "gfci_rating": "rating"},
    description="GFCI rating and rank per city (one edition per year), typed from the "
    "publication as reported by Z/Yen and the press; approximate.",
)
REGIONAL_HQ = publication(
    "regional_hq",
    title="Regional headquarters of companies with parents outside the city",
    publisher="C&SD (Hong Kong), EDB (Singapore)",
    licence="Short factual citations of the named publications",
    indicators={"regional_headquarters": "count"},
    description="Regional headquarters counts from official statistics, typed; approximate.",
)
IPO_FUNDS = publication(
    "ipo_funds",
    title="IPO funds raised on each city's stock exchanges",
    publisher="Exchanges' results and Dealogic, as reported by the press",
    licence="Short factual citations of the named publications",
    indicators={"ipo_funds_raised": "USD current"},
    description="IPO funds raised on the city's exchanges (HKEX; NYSE + Nasdaq), typed; "
    "approximate and not scored (no year covers every city).",
)

# City-level releases (each built by sources/snapshots/<id>/build.py from a real published file)
UN_WUP = publication(
    "un_wup",
    title="UN World Urbanization Prospects 2018: population of urban agglomerations",
    publisher="UN DESA, Population Division",
    licence="CC BY 3.0 IGO",
    indicators={"city_population": "persons"},
    description="Annual population of each city's urban agglomeration (WUP 2018 file F22; "
    "values after 2018 are UN projections). The city denominator; not scored.",
    periods=(1950, 2035),  # the file's span: "... by Country, 1950-2035 (thousands)"
)
GDCI = publication(
    "gdci",
    title="Mastercard Global Destination Cities Index: international overnight visitors",
    publisher="Mastercard",
    licence="Facts cited from the Mastercard GDCI reports",
    indicators={"intl_overnight_visitors": "persons", "intl_visitor_spending": "USD current"},
    description="International overnight visitors to each city and their spending in it, "
    "data years 2011-2018 (the index's last edition, 2019).",
)
GAWC = publication(
    "gawc",
    title="GaWC global network connectivity 2020",
    publisher="GaWC, Loughborough University",
    licence="GaWC research data; cite the data set",
    indicators={"gawc_connectivity": "index"},
    description="Each city's connectivity in the office networks of advanced producer-service "
    "firms (Data Set 31), as a percentage of the best-connected city (London = 100).",
)
QS_STUDENT_CITIES = publication(
    "qs_student_cities",
    title="QS Best Student Cities",
    publisher="QS Quacquarelli Symonds",
    licence="Facts cited from the QS publication (the table is not shipped)",
    indicators={"qs_student_city_score": "score"},
    description="QS Best Student Cities overall score per city (0-100).",
)
MICHELIN = publication(
    "michelin",
    title="MICHELIN Guide: starred restaurants per city",
    publisher="MICHELIN Guide",
    licence="Derived counts only; the restaurant listing is Michelin's and is not shipped",
    indicators={"michelin_starred_restaurants": "count"},
    description="Restaurants with one, two or three MICHELIN stars in each city's guide "
    "selection (as live in August 2023).",
)
UNESCO_WHC = publication(
    "unesco_whc",
    title="UNESCO World Heritage properties near each city",
    publisher="UNESCO World Heritage Centre",
    licence="UNESCO WHC open data",
    indicators={"world_heritage_sites_100km": "count"},
    description="World Heritage properties whose recorded point lies within 100 km of the city "
    "centre (the radius the Global Power City Index uses).",
)
METRO_GDP = publication(
    "metro_gdp",
    title="Metropolitan GDP at purchasing-power parity",
    publisher="Brookings Institution, Global MetroMonitor (Oxford Economics, Moody's Analytics)",
    licence="Short factual citations of the named publication",
    indicators={"metro_gdp_ppp": "USD PPP"},
    description="GDP of each metropolitan economy at PPP, typed from the publication "
    "(approximate).",
)

SOURCES = (
    QS_RANKINGS,
    THE_RANKINGS,
    GFCI,
    REGIONAL_HQ,
    IPO_FUNDS,
    UN_WUP,
    GDCI,
    GAWC,
    QS_STUDENT_CITIES,
    MICHELIN,
    UNESCO_WHC,
    METRO_GDP,
)
