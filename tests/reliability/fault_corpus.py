"""The fault corpus: one row per bad input a provider can send, and what citydip must do with it.

Add a fault with one `Fault(...)` row below; add a source by serving its snapshot (automatic, see
providers.py) and writing rows whose `source` is its id. Each row names:

- `source`, and `target`: which of the source's snapshot responses is replaced (index, default 0);
- `serve`: a werkzeug handler that misbehaves (helpers below: `status`, `body`, `json_edit`,
  `csv_edit`, `flaky`, `huge`, ... and providers.reset_connection / sleeping);
- `expect`: `Rejected(field, match)` — a SourceError naming the source, the server's URL and the
  field; `Blocked(check, match)` — parsed, but a blocking check on the payload refuses the load
  (a revision against the published value beyond the indicator's hard_revision_factor);
  `Warned(check, match, also)` — accepted, but a plausibility check warns (and the checks in
  `also`); `Accepted()`;
- `env`: environment for the client (short timeouts, a small size cap, no retries);
- `e2e`: also prove it through `citydip refresh --live --select <source>` (the CLI, in-process).

Design (why most rows are fast): a full refresh costs ~20 s, so test_fault_corpus.py runs every
row at the source level — `Source.fetch_live` + `Source.observations` against pytest-httpserver,
the exact code the payload asset and its blocking `schema_valid` check run — and checks the
warnings with the plausibility functions the non-blocking checks call. The rows marked `e2e`
(a fetch failure, schema failures of both sources and a warning) run end to end and assert
that a rejection leaves the published warehouse byte-for-byte unchanged and `published_warehouse`
un-materialised in that run. That mechanism is generic (Dagster skips everything downstream of a
failed step or a failed blocking check), so the subset proves it for every row that is rejected
at fetch or at `schema_valid`, which is every `Rejected` row.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from werkzeug import Request, Response

from sources import SOURCES, curated
from tests.reliability.providers import (
    Handler,
    Served,
    fault,
    reset_connection,
    sleeping,
    trickle_body,
    trickle_headers,
)


@dataclass(frozen=True)
class Rejected:
    field: str  # a substring of SourceError.field
    match: str  # a substring of the message


@dataclass(frozen=True)
class Warned:
    check: str  # plausible_year_on_year | plausible_revision | no_dropped_geographies
    match: str  # a substring of the warning (e.g. the geography)
    also: tuple[str, ...] = ()  # further checks the same rows make warn


@dataclass(frozen=True)
class Blocked:
    check: str  # a blocking check on the payload: no_absurd_revision
    match: str  # a substring of its description (e.g. the geography)


@dataclass(frozen=True)
class Accepted:
    pass


@dataclass(frozen=True)
class Fault:
    id: str
    source: str
    kind: str
    serve: Handler
    expect: Rejected | Blocked | Warned | Accepted
    target: int = 0
    env: dict[str, str] = field(default_factory=dict)
    e2e: bool = False


# Fault builders ---------------------------------------------------------------------------


def status(code: int, text: str = "", content_type: str = "text/plain", **headers) -> Handler:
    return lambda request: Response(text, status=code, content_type=content_type, headers=headers)


def body(data: bytes, content_type: str = "application/json") -> Handler:
    return lambda request: Response(data, status=200, content_type=content_type)


def transformed(change: Callable[[bytes], bytes], content_type: str | None = None) -> Handler:
    """The real response with its bytes changed."""

    @fault
    def handler(request: Request, served: Served) -> Response:
        return Response(
            change(served.part.body), status=200, content_type=content_type or served.content_type
        )

    return handler


def json_edit(change: Callable[[list], object]) -> Handler:
    """The real World Bank-style [meta, rows] document, edited."""

    def apply(data: bytes) -> bytes:
        return json.dumps(change(json.loads(data))).encode()

    return transformed(apply)


def records(change: Callable[[list[dict]], list[dict] | None]) -> Handler:
    """Edit the rows list of a [meta, rows] document in place (or return a new list)."""

    def edit(document: list) -> list:
        result = change(document[1])
        if result is not None:
            document[1] = result
        return document

    return json_edit(edit)


def csv_edit(change: Callable[[list[dict]], list[dict]], header: list[str] | None = None):
    """Edit the rows of a CSV response (dicts by column); optionally a new header."""

    def apply(data: bytes) -> bytes:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
        rows = change(list(reader))
        columns = header or list(reader.fieldnames or [])
        out = io.StringIO()
        writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode()

    return transformed(apply)


def flaky(failures: int, code: int = 429) -> Handler:
    """`failures` responses with `code` (Retry-After: 0), then the real response."""
    calls = {"n": 0}

    @fault
    def handler(request: Request, served: Served) -> Response:
        calls["n"] += 1
        if calls["n"] <= failures:
            return Response("slow down", status=code, headers={"Retry-After": "0"})
        return served.good()

    return handler


def huge(size: int, declare_length: bool) -> Handler:
    """A body of `size` bytes, with or without a Content-Length header (streamed)."""

    def handler(request: Request) -> Response:
        chunk = b" " * 65536

        def stream():
            for _ in range(size // len(chunk) + 1):
                yield chunk

        if declare_length:
            return Response(b" " * size, status=200, content_type="application/json")
        return Response(stream(), status=200, content_type="application/json")

    return handler


def cut_transfer(request: Request) -> Response:
    """Promise more bytes than are sent, then close: an interrupted download."""

    def stream():
        yield b'[{"page": 1, "pages": 1}, [{"indicator": '
        time.sleep(0.05)
        raise ConnectionAbortedError("provider went away")

    return Response(stream(), status=200, headers={"Content-Length": "100000"})


def half(data: bytes) -> bytes:
    """A body cut in half, as a transfer that stopped mid-way would leave it."""
    return data[: len(data) // 2]


def where(geo: str, indicator: str | None = None, period: int | None = None):
    """A predicate on World Bank records."""

    def test(r: dict) -> bool:
        return (
            r["countryiso3code"] == geo
            and (indicator is None or r["indicator"]["id"] == indicator)
            and (period is None or r["date"] == str(period))
        )

    return test


def set_value(test, value) -> Callable[[list[dict]], None]:
    def change(rows: list[dict]) -> None:
        for r in rows:
            if test(r):
                r["value"] = value

    return change


def scale_value(test, factor: float) -> Callable[[list[dict]], None]:
    def change(rows: list[dict]) -> None:
        for r in rows:
            if test(r) and r["value"] is not None:
                r["value"] = r["value"] * factor

    return change


def rename_key(old: str, new: str) -> Callable[[list[dict]], None]:
    def change(rows: list[dict]) -> None:
        for r in rows:
            r[new] = r.pop(old)

    return change


def curated_rows(change: Callable[[dict], None], city: str | None = None, header=None):
    def apply(rows: list[dict]) -> list[dict]:
        for r in rows:
            if city is None or r["geo_id"] == city:
                change(r)
        return rows

    return csv_edit(apply, header)


def setter(column: str, value: str) -> Callable[[dict], None]:
    return lambda r: r.__setitem__(column, value)


def comtrade_records(change: Callable[[list[dict]], None]) -> Handler:
    """Edit the `data` records of the real Comtrade response in place."""

    def apply(data: bytes) -> bytes:
        document = json.loads(data)
        change(document["data"])
        return json.dumps(document).encode()

    return transformed(apply)


def scaled_comtrade(factor: int, partner: int | None = None, year: int | None = None) -> Handler:
    """Comtrade's values times `factor` (a unit change), for one partner or year or all."""

    def change(records: list[dict]) -> None:
        for r in records:
            if partner in (None, r["partnerCode"]) and year in (None, r["refYear"]):
                r["primaryValue"] = r["primaryValue"] * factor

    return comtrade_records(change)


def comtrade_year(year: object) -> Handler:
    """The first Comtrade record's refYear replaced."""
    return comtrade_records(lambda records: records[0].__setitem__("refYear", year))


def hk_visitors_times(factor: int) -> Handler:
    """Every day's visitor counts of the HK Immigration file times `factor`."""

    def change(rows: list[dict]) -> list[dict]:
        for r in rows:
            for column in ("Mainland Visitors", "Other Visitors"):
                r[column] = str(int(r[column]) * factor)
        return rows

    return csv_edit(change)


def padded_pages(pages: int, size: int) -> Handler:
    """The real first World Bank page claiming `pages` pages, padded with JSON whitespace to
    `size` bytes (every page alike): a fetch of `pages` x `size` bytes."""

    @fault
    def handler(request: Request, served: Served) -> Response:
        document = json.loads(served.part.body)
        document[0]["pages"] = pages
        data = json.dumps(document).encode()
        padding = max(size - len(data), 0)

        def stream():
            yield data[:-1]
            for _ in range(padding // 65536):
                yield b" " * 65536
            yield b" " * (padding % 65536) + data[-1:]

        return Response(stream(), status=200, content_type="application/json")

    return handler


CORPUS_KEY = "canary-corpus-5b1e0f27"  # a Comtrade subscription key the rows below must not leak
WITH_KEY = {"CITYDIP_COMTRADE_KEY": CORPUS_KEY}


def key_echoed(request: Request) -> Response:
    """Comtrade's gateway error (statusCode/message, sent with status 200), echoing the key it
    was sent."""
    key = request.headers.get("Ocp-Apim-Subscription-Key", "")
    message = (
        f"Access denied due to invalid subscription key {key}. Make sure to provide a valid key."
    )
    return Response(
        json.dumps({"statusCode": 401, "message": message}),
        status=200,
        content_type="application/json",
    )


def redirect_to_other_host() -> Handler:
    """A 302 to the same URL on the same server under its other name (localhost <->
    127.0.0.1): another host, which answers the real response, or 403 if it was sent the key."""

    @fault
    def handler(request: Request, served: Served) -> Response:
        if request.args.get("moved"):
            if "Ocp-Apim-Subscription-Key" in request.headers:
                return Response("the other host was sent the key", status=403)
            return served.good()
        host, port = request.host.rsplit(":", 1)
        other = "127.0.0.1" if host == "localhost" else "localhost"
        query = request.query_string.decode()
        location = f"http://{other}:{port}{request.path}?{query}&moved=1"
        return Response("", status=302, headers={"Location": location})

    return handler


WB_ERROR_ENVELOPE = json.dumps(
    [
        {
            "message": [
                {
                    "id": "175",
                    "key": "Invalid format",
                    "value": "The indicator was not found. It may have been deleted or archived.",
                }
            ]
        }
    ]
).encode()
HTML_PAGE = b"<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>"
NO_RETRY = {"CITYDIP_HTTP_RETRIES": "0"}
# the public preview endpoint Comtrade's snapshot was taken from (the reliability suite's refreshes
# set every secret, a Comtrade key included, to a canary)
COMTRADE_PREVIEW = {"CITYDIP_COMTRADE_KEY": ""}
SHORT_READ_TIMEOUT = {"CITYDIP_HTTP_READ_TIMEOUT": "0.3", **NO_RETRY}  # against sleeping(1.5)
# a trickle of a byte every 0.2 s never trips a 5 s read timeout; the 1.5 s deadline stops it
SHORT_DEADLINE = {"CITYDIP_HTTP_DEADLINE": "1.5", "CITYDIP_HTTP_READ_TIMEOUT": "5", **NO_RETRY}
CURATED_COLUMNS = [
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
    "note",
]

# A body cut in half is refused by each format in its own words.
TRUNCATED_JSON = Rejected("body", "malformed or truncated JSON")
CUT_IN_HALF = {
    **{source.id: Rejected("body", "truncated") for source in curated.SOURCES},
    "openflights": Rejected("columns", "truncated"),
    "hk_immigration": Rejected("Date", "no complete calendar year"),
    "sistercity": Rejected("row", "malformed"),
    **dict.fromkeys(("worldbank", "singstat", "comtrade", "openalex", "wikidata"), TRUNCATED_JSON),
}

# The corpus ---------------------------------------------------------------------------------

# fmt: off
CORPUS: list[Fault] = [
    # World Bank: HTTP and transport
    Fault("wb-404", "worldbank", "HTTP 4xx", status(404, "Not Found"), Rejected("status", "HTTP 404"), e2e=True),
    Fault("wb-500", "worldbank", "HTTP 5xx", status(500, "Internal Server Error"), Rejected("status", "HTTP 500")),
    Fault("wb-503-html", "worldbank", "HTTP 5xx with an HTML body", status(503, HTML_PAGE.decode(), "text/html"), Rejected("status", "HTTP 503")),
    Fault("wb-429-storm", "worldbank", "429 storm", status(429, "Too Many Requests", **{"Retry-After": "0"}), Rejected("status", "HTTP 429")),
    Fault("wb-429-recovers", "worldbank", "429 twice, then served", flaky(2), Accepted()),
    Fault("wb-slow", "worldbank", "read timeout", sleeping(1.5), Rejected("response", "timed out"), env=SHORT_READ_TIMEOUT),
    Fault("wb-reset", "worldbank", "connection reset", reset_connection, Rejected("response", "connection"), env=NO_RETRY),
    Fault("wb-cut", "worldbank", "transfer cut short", cut_transfer, Rejected("body", "could not be read"), env=NO_RETRY),
    Fault("wb-html-200", "worldbank", "HTML page with status 200", body(HTML_PAGE, "text/html"), Rejected("Content-Type", "HTML page")),
    Fault("wb-html-as-json", "worldbank", "HTML page labelled application/json", body(HTML_PAGE), Rejected("Content-Type", "HTML page")),
    Fault("wb-truncated", "worldbank", "truncated body", transformed(half), CUT_IN_HALF["worldbank"]),
    Fault("wb-not-json", "worldbank", "malformed body", body(b"ok\n"), Rejected("body", "malformed or truncated JSON")),
    Fault("wb-wrong-content-type", "worldbank", "wrong content type, valid JSON", transformed(lambda b: b, "text/plain"), Accepted()),
    Fault("wb-huge-declared", "worldbank", "body beyond the size cap (Content-Length)", huge(300_000, declare_length=True), Rejected("Content-Length", "exceeds the cap"), env={"CITYDIP_HTTP_MAX_BYTES": "200000"}),
    Fault("wb-huge-streamed", "worldbank", "body beyond the size cap (streamed)", huge(300_000, declare_length=False), Rejected("body", "exceeds the cap"), env={"CITYDIP_HTTP_MAX_BYTES": "200000"}),
    Fault("wb-page-storm", "worldbank", "pages beyond the page cap", json_edit(lambda d: [{**d[0], "pages": 100000}, d[1]]), Rejected("pages", "more than 50 pages")),
    Fault("wb-error-envelope", "worldbank", "provider error envelope with 200", body(WB_ERROR_ENVELOPE), Rejected("message", "Invalid format")),
    Fault("wb-not-an-array", "worldbank", "JSON of the wrong shape", body(b'{"error": "bad request"}'), Rejected("body", "[metadata, rows]")),
    Fault("wb-latin1", "worldbank", "encoding error (Latin-1 bytes)", transformed(lambda b: b.replace(b"China", "Chïna".encode("latin-1"))), Rejected("body", "malformed or truncated JSON")),
    # World Bank: fields and values
    Fault("wb-renamed-field", "worldbank", "renamed field", records(rename_key("countryiso3code", "iso3")), Rejected("countryiso3code", "unexpected record shape")),
    Fault("wb-missing-field", "worldbank", "missing field", records(lambda rows: [{k: v for k, v in r.items() if k != "value"} for r in rows]), Rejected("value", "unexpected record shape")),
    Fault("wb-extra-field", "worldbank", "extra field", records(lambda rows: [{**r, "footnote": "revised"} for r in rows]), Accepted()),
    Fault("wb-string-value", "worldbank", "wrong type (number as string)", records(set_value(where("HKG"), "55912609")), Rejected("value", "non-numeric value")),
    Fault("wb-bad-year", "worldbank", "wrong type (quarter for a year)", records(lambda rows: [{**r, "date": f"{r['date']}Q1"} for r in rows]), Rejected("date", "Q1' is not a whole number")),
    Fault("wb-duplicate", "worldbank", "duplicate rows", records(lambda rows: rows + [r for r in rows if r["value"] is not None][:3]), Rejected("period", "duplicate observation key")),
    Fault("wb-negative", "worldbank", "impossible value (negative arrivals)", records(set_value(where("SGP", period=2019), -5.0)), Rejected("value", "negative value"), e2e=True),
    Fault("wb-infinite", "worldbank", "impossible value (Infinity)", transformed(lambda b: b.replace(b'"value": 65148000', b'"value": Infinity')), Rejected("value", "infinite")),
    Fault("wb-unknown-country", "worldbank", "unknown geography code", records(lambda rows: [{**r, "countryiso3code": "XKX"} if r["countryiso3code"] == "ARE" else r for r in rows]), Rejected("geo_id", "XKX")),
    Fault("wb-unknown-series", "worldbank", "unknown indicator code", records(lambda rows: [{**r, "indicator": {"id": "ST.INT.XXX", "value": "?"}} for r in rows]), Rejected("indicator.id", "unknown series")),
    Fault("wb-yoy-jump", "worldbank", "year-on-year jump beyond the bound (unit slip x1000)", records(scale_value(where("HKG", period=2018), 1000)), Warned("plausible_year_on_year", "HKG", also=("plausible_revision",)), e2e=True),
    Fault("wb-city-drops-out", "worldbank", "a geography drops out of an indicator", records(lambda rows: [r for r in rows if r["countryiso3code"] != "HKG"]), Warned("no_dropped_geographies", "HKG")),
    Fault("wb-empty-series", "worldbank", "a series comes back empty", json_edit(lambda d: [{**d[0], "total": 0}, None]), Warned("no_dropped_geographies", "tourism_arrivals")),
    # Curated publications (the QS file; every publication shares sources/curated.py's parser)
    Fault("qs-403", "qs_rankings", "HTTP 4xx", status(403, "Forbidden"), Rejected("status", "HTTP 403")),
    Fault("qs-html-200", "qs_rankings", "HTML page with status 200", body(HTML_PAGE, "text/html"), Rejected("Content-Type", "HTML page")),
    Fault("qs-latin1", "qs_rankings", "encoding error (Latin-1 bytes)", transformed(lambda b: b.replace(b"Quacquarelli", "Quacquarell\u00ef".encode("latin-1"))), Rejected("body", "not UTF-8")),
    Fault("qs-renamed-column", "qs_rankings", "renamed column", csv_edit(lambda rows: [{**r, "figure": r["value"]} for r in rows], [c if c != "value" else "figure" for c in CURATED_COLUMNS]), Rejected("value", "missing column"), e2e=True),
    Fault("qs-extra-column", "qs_rankings", "extra column", csv_edit(lambda rows: [{**r, "reviewer": "x"} for r in rows], [*CURATED_COLUMNS, "reviewer"]), Accepted()),
    Fault("qs-text-value", "qs_rankings", "wrong type (text for a count)", curated_rows(setter("value", "five"), "hong-kong"), Rejected("value", "non-numeric")),
    Fault("qs-no-provenance", "qs_rankings", "missing provenance", curated_rows(setter("source_url", ""), "tokyo"), Rejected("source_url", "no provenance")),
    Fault("qs-unknown-city", "qs_rankings", "unknown geography code", curated_rows(setter("geo_id", "atlantis"), "dubai"), Rejected("geo_id", "atlantis")),
    Fault("qs-wrong-unit", "qs_rankings", "unit differs from the registry", curated_rows(setter("unit", "percent"), "paris"), Rejected("unit", "unit differs")),
    Fault("qs-duplicate", "qs_rankings", "duplicate rows", csv_edit(lambda rows: rows + rows[:1]), Rejected("period", "duplicate observation key")),
    Fault("qs-negative", "qs_rankings", "impossible value (negative count)", curated_rows(setter("value", "-2"), "seoul"), Rejected("value", "negative value")),
    Fault("qs-ancient-year", "qs_rankings", "impossible period", curated_rows(setter("period", "1850"), "london"), Rejected("period", "1850")),
    Fault("qs-header-only", "qs_rankings", "empty file", csv_edit(lambda rows: []), Rejected("rows", "no observations")),
    Fault("qs-yoy-jump", "qs_rankings", "year-on-year jump beyond the bound", csv_edit(lambda rows: [{**r, "value": "50"} if (r["geo_id"], r["period"]) == ("hong-kong", "2025") else r for r in rows]), Warned("plausible_year_on_year", "hong-kong", also=("plausible_revision",))),
    # Issue 17's probes, found by hand: values that must never poison a build. A hard bound of the
    # registry (dbt_project/seeds/indicators.csv) refuses the absurd, a soft one warns of a unit
    # change against the previous load; every parse error names its field; every JSON key once.
    Fault("wb-1e308", "worldbank", "absurd value (1e308, finite)", records(set_value(where("USA", "CM.MKT.LCAP.CD", 2022), 1e308)), Rejected("value", "market_capitalisation USA 2022=1e+308"), target=6, e2e=True),
    Fault("wb-10e400", "worldbank", "value beyond a float (10**400)", records(set_value(where("USA", "CM.MKT.LCAP.CD", 2022), 10**400)), Rejected("value", "beyond a float's range"), target=6, e2e=True),
    Fault("wb-pages-float", "worldbank", "page count spelled as a float", json_edit(lambda d: [{**d[0], "pages": "1e6"}, d[1]]), Rejected("pages", "'1e6' is not a whole number"), e2e=True),
    Fault("hk-arrivals-x1e15", "hk_immigration", "unit change beyond the hard bound (arrivals x10^15, every year)", hk_visitors_times(10**15), Rejected("value", "outside its indicator's min_value..max_value"), e2e=True),
    Fault("comtrade-x1000-every-year", "comtrade", "unit change (x1000) in every year", scaled_comtrade(1000), Warned("plausible_revision", "goods_exports_to_china FRA 2010"), env=COMTRADE_PREVIEW),
    Fault("comtrade-x1000-one-partner", "comtrade", "unit change (x1000) for one partner", scaled_comtrade(1000, partner=344), Warned("plausible_revision", "HKG"), env=COMTRADE_PREVIEW, e2e=True),
    Fault("comtrade-x1000-one-year", "comtrade", "unit change (x1000) in one year", scaled_comtrade(1000, year=2014), Warned("plausible_year_on_year", "2013->2014", also=("plausible_revision",)), env=COMTRADE_PREVIEW),
    Fault("comtrade-year-typo", "comtrade", "year with a letter (20x1)", comtrade_year("20x1"), Rejected("refYear", "'20x1' is not a whole number"), env=COMTRADE_PREVIEW, e2e=True),
    Fault("comtrade-year-null", "comtrade", "year null", comtrade_year(None), Rejected("refYear", "None is not a whole number"), env=COMTRADE_PREVIEW, e2e=True),
    Fault("comtrade-year-2099", "comtrade", "year beyond the years asked for (2099)", comtrade_year(2099), Rejected("period", "2099"), env=COMTRADE_PREVIEW, e2e=True),
    Fault("comtrade-year-fullwidth", "comtrade", "year in full-width digits", comtrade_year("２０１９"), Rejected("refYear", "'２０１９' is not a whole number"), env=COMTRADE_PREVIEW, e2e=True),
    Fault("comtrade-year-fraction", "comtrade", "fractional year (2010.7)", comtrade_year(2010.7), Rejected("refYear", "2010.7 is not a whole number"), env=COMTRADE_PREVIEW, e2e=True),
    Fault("comtrade-duplicate-key", "comtrade", "a JSON key twice in one object", transformed(lambda b: b.replace(b'"primaryValue": 17116565094,', b'"primaryValue": 17116565094, "primaryValue": 17116565094000,', 1)), Rejected("primaryValue", "'primaryValue' appears twice"), env=COMTRADE_PREVIEW, e2e=True),
    # Issue 17, the rest: beyond the hard revision bound (x20000 > hard_revision_factor 10000)
    # against the published value the load is blocked; the curated CSVs' years as Comtrade's
    Fault("comtrade-x20000-one-partner", "comtrade", "unit change beyond the hard revision bound (x20000, one partner)", scaled_comtrade(20000, partner=251), Blocked("no_absurd_revision", "FRA 2010"), env=COMTRADE_PREVIEW, e2e=True),
    Fault("hk-arrivals-x20000", "hk_immigration", "unit change beyond the hard revision bound (arrivals x20000)", hk_visitors_times(20000), Blocked("no_absurd_revision", "city_visitor_arrivals hong-kong")),
    Fault("qs-year-2099", "qs_rankings", "year after the publication's last (2099)", curated_rows(setter("period", "2099"), "london"), Rejected("period", "2099")),
    Fault("qs-year-fullwidth", "qs_rankings", "year in full-width digits", curated_rows(setter("period", "２０２４"), "london"), Rejected("period", "'２０２４' is not a whole number")),
    Fault("qs-year-fraction", "qs_rankings", "fractional year (2024.5)", curated_rows(setter("period", "2024.5"), "london"), Rejected("period", "'2024.5' is not a whole number")),
    # Issue 17's probes of the HTTP client: deadlines, a cap per fetch, a key that never leaks
    Fault("wb-trickle-headers", "worldbank", "headers trickled a byte at a time", trickle_headers(0.2), Rejected("deadline", "the request exceeded its deadline of 1.5 s (CITYDIP_HTTP_DEADLINE)"), env=SHORT_DEADLINE, e2e=True),
    Fault("wb-trickle-body", "worldbank", "body trickled a byte at a time", trickle_body(0.2), Rejected("deadline", "the request exceeded its deadline of 1.5 s"), env=SHORT_DEADLINE),
    Fault("wb-fetch-deadline", "worldbank", "the third series slow, the fetch beyond its deadline", sleeping(1.5), Rejected("deadline", "the fetch exceeded its deadline of 1 s (CITYDIP_HTTP_FETCH_DEADLINE)"), env={"CITYDIP_HTTP_FETCH_DEADLINE": "1", **NO_RETRY}, target=2),
    Fault("wb-fetch-over-cap", "worldbank", "pages each under the size cap, together over the fetch cap", padded_pages(9, 300_000), Rejected("body", "CITYDIP_HTTP_MAX_FETCH_BYTES"), env={"CITYDIP_HTTP_MAX_BYTES": "400000", "CITYDIP_HTTP_MAX_FETCH_BYTES": "1000000"}, e2e=True),
    Fault("comtrade-key-echoed-200", "comtrade", "the subscription key echoed in a 200 error body", key_echoed, Rejected("message", "invalid subscription key ***"), env=WITH_KEY, e2e=True),
    Fault("comtrade-302-other-host", "comtrade", "a 302 to another host (the key is not sent there)", redirect_to_other_host(), Accepted(), env=WITH_KEY),
    # Wikidata: its four SPARQL POSTs share one URL; the fake provider tells them apart by query
    Fault("wikidata-last-post-truncated", "wikidata", "truncated body (the last of four POSTs)", transformed(half), TRUNCATED_JSON, target=3),
    Fault("wikidata-timeout-in-200", "wikidata", "200 cut by a server-side TimeoutException", transformed(lambda b: b[:60] + b"\njava.util.concurrent.TimeoutException"), Rejected("body", "TimeoutException"), target=1),
]
# fmt: on

# Every source that ships a snapshot: the faults any provider can send, whatever its format
# (its own field-level faults are in tests/sources/test_<source>.py).
GENERIC_KINDS = ("HTTP 5xx", "read timeout", "HTML page with status 200", "truncated body")


def generic_faults(source_id: str) -> list[Fault]:
    rows = [
        Fault(
            f"{source_id}-500",
            source_id,
            "HTTP 5xx",
            status(500, "Internal Server Error"),
            Rejected("status", "HTTP 500"),
        ),
        Fault(
            f"{source_id}-slow",
            source_id,
            "read timeout",
            sleeping(1.5),
            Rejected("response", "timed out"),
            env=SHORT_READ_TIMEOUT,
        ),
        Fault(
            f"{source_id}-html-200",
            source_id,
            "HTML page with status 200",
            body(HTML_PAGE, "text/html"),
            Rejected("Content-Type", "HTML page"),
        ),
        Fault(
            f"{source_id}-truncated",
            source_id,
            "truncated body",
            transformed(half),
            CUT_IN_HALF[source_id],
        ),
    ]
    present = {(row.source, row.kind) for row in CORPUS}
    return [row for row in rows if (row.source, row.kind) not in present]


CORPUS += [
    row
    for source_id, source in SOURCES.items()
    if source.has_snapshot and source_id != "worldbank"
    for row in generic_faults(source_id)
]

# Issue 17's probes that no provider sends (a kill, a daemon run, a query, a full disk): one row
# each, naming the test that reproduces it, so that it stays fixed.


@dataclass(frozen=True)
class Probe:
    id: str
    kind: str
    test: str  # "tests/<path>.py::<test name>" (a parametrised test: every case)


# fmt: off
PROBES: list[Probe] = [
    Probe("cards-sigkill-in-swap", "a SIGKILL inside the cards swap left no cards/", "tests/cards/test_swap.py::test_sigkill_at_every_step_leaves_a_complete_site"),
    Probe("cards-sigkill-old-layout", "a SIGKILL while a real cards/ folder is replaced by the link", "tests/cards/test_swap.py::test_sigkill_while_leaving_the_old_layout"),
    Probe("cards-rollback-overwritten", ".cards.* never tidied; the rollback copy could be overwritten", "tests/cards/test_swap.py::test_the_rollback_copy_is_never_written"),
    Probe("run-between-phases", "a daemon-launched run started between the two phases of citydip refresh", "tests/pipelines/test_one_refresh_at_a_time.py::test_a_refresh_holds_the_run_slot_from_its_first_phase_to_its_last"),
    Probe("run-between-phases-daemon", "the real daemon's queued sensor runs wait while the window is open", "tests/pipelines/test_run_window_daemon.py::test_no_queued_run_starts_inside_the_window"),
    Probe("run-window-orphaned", "the run window of a killed refresh is failed by the next", "tests/pipelines/test_one_refresh_at_a_time.py::test_the_window_ends_when_the_refresh_stops_or_dies"),
    Probe("query-copy-into-tmp", "COPY ... TO 'citydip.duckdb.tmp/x' wrote a file; every write statement type", "tests/commands/test_query_guard.py::test_every_write_statement_type_is_refused"),
    Probe("disk-full-landing", "a full disk while landing hid 'no space left on device'", "tests/reliability/test_disk_full.py::test_landing_a_payload"),
    Probe("disk-full-cards", "a full disk while rendering the cards", "tests/reliability/test_disk_full.py::test_rendering_the_cards_keeps_the_last_site"),
    Probe("disk-full-duckdb", "a full disk met by DuckDB while publishing", "tests/reliability/test_disk_full.py::test_duckdb_writing_the_warehouse"),
    Probe("absurd-revision-blocks", "a revision beyond the hard bound against the published value", "tests/reliability/test_plausibility.py::test_the_blocking_check_compares_the_landed_payload_with_the_published_values"),
    Probe("curated-years", "curated years: full-width, fractional, 2099, 1850", "tests/sources/test_curated.py::test_years_outside_the_publication_or_not_ascii_whole_numbers"),
]
# fmt: on
