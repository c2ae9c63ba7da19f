"""Wikidata: the SPARQL client and parser against a local server speaking SPARQL JSON results,
and the shipped snapshot (missions, P190 and Wikipedia exports) with its bad-input cases."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import replace
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import sources
from sources import wikidata
from sources.cities import City, load_cities
from sources.errors import SourceError
from sources.http import make_session
from sources.payload import Part, Payload
from tests.sources.faults import assert_names

PATH = "/sparql"
ENTITY = "http://www.wikidata.org/entity/"
HONG_KONG, PARIS, TOKYO = "Q8646", "Q90", "Q1490"


def results(*pairs: tuple[str, str]) -> dict:
    """A SPARQL JSON result with one binding per (city, other) pair of Wikidata ids."""
    return {
        "head": {"vars": ["city", "other"]},
        "results": {
            "bindings": [
                {
                    "city": {"type": "uri", "value": ENTITY + city},
                    "other": {"type": "uri", "value": ENTITY + other},
                }
                for city, other in pairs
            ]
        },
    }


def by_query(answers: dict[str, dict | str]):
    """Answer each POSTed query by its first line (`# citydip: ...`)."""

    def handler(request: Request) -> Response:
        sparql = parse_qs(request.get_data(as_text=True))["query"][0]
        answer = answers[sparql.splitlines()[0]]
        text = answer if isinstance(answer, str) else json.dumps(answer)
        return Response(text, content_type="application/sparql-results+json")

    return handler


TWINS = "# citydip: sister cities"
EMBASSY, CONSULATE, GENERAL = (
    f"# citydip: foreign missions ({kind})"
    for kind in ("embassy", "consulate", "consulate general")
)


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("CITYDIP_WIKIDATA_BASE_URL", httpserver.url_for(PATH))
    return httpserver


def answers() -> dict[str, dict]:
    """The SPARQL JSON result served for each query, by its first line (also what
    tests/reliability/providers.py serves as wikidata's live responses)."""
    return {
        TWINS: results((PARIS, "Q220"), (PARIS, "Q220"), (PARIS, "Q1085"), (TOKYO, "Q60")),
        EMBASSY: results((TOKYO, "Q100"), (PARIS, "Q200")),
        CONSULATE: results(),
        GENERAL: results((HONG_KONG, "Q300"), (HONG_KONG, "Q301"), (TOKYO, "Q100")),
    }


def serve(server: HTTPServer, **overrides: dict | str) -> None:
    served: dict[str, dict | str] = dict(answers())
    names = {"twins": TWINS, "embassy": EMBASSY, "consulate": CONSULATE, "general": GENERAL}
    served.update({names[k]: v for k, v in overrides.items()})
    server.expect_request(PATH, method="POST").respond_with_handler(by_query(served))


def load():
    return wikidata.SOURCE.observations(
        wikidata.SOURCE.fetch_live(make_session(retries=1, backoff=0))
    )


def test_queries_are_posted_with_sparql_json_accept_and_a_descriptive_agent(server: HTTPServer):
    serve(server)
    load()
    assert len(server.log) == 4
    for request, _ in server.log:
        assert request.headers["Accept"] == "application/sparql-results+json"
        assert request.headers["User-Agent"].startswith("citydip/")
        assert "https://" in request.headers["User-Agent"]
    first = parse_qs(server.log[0][0].get_data(as_text=True))["query"][0]
    assert "wdt:P190 ?other } UNION { ?other wdt:P190 ?city" in first
    assert "wd:Q8646" in first  # the cities come from the seed


def test_counts_distinct_items_per_city_exactly_as_served(server: HTTPServer):
    serve(server)
    frame = load()
    got = {(r.indicator_id, r.geo_id): r.value for r in frame.itertuples()}
    assert got == {
        ("sister_cities", "paris"): 2.0,  # Q220 twice (both directions) counts once
        ("sister_cities", "tokyo"): 1.0,
        ("foreign_missions", "tokyo"): 1.0,  # Q100 is an embassy and a consulate general
        ("foreign_missions", "paris"): 1.0,
        ("foreign_missions", "hong-kong"): 2.0,
    }
    assert set(frame.geo_level) == {"city"}


def test_a_200_cut_by_a_server_timeout_is_rejected(server: HTTPServer):
    cut = json.dumps(results((PARIS, "Q220")))[:60] + "\njava.util.concurrent.TimeoutException"
    serve(server, embassy=cut)
    with pytest.raises(SourceError, match="TimeoutException") as raised:
        load()
    assert_names(raised.value, "wikidata", server.url_for(PATH), "body")


BAD_ANSWERS = {
    "renamed variable": (
        {"twins": {"head": {"vars": ["city", "twin"]}, "results": {"bindings": []}}},
        "head.vars",
    ),
    "not SPARQL results": (
        {"twins": {"error": "MalformedQueryException"}},
        "head.vars/results.bindings",
    ),
    "binding without other": (
        {"twins": {"head": {"vars": ["city", "other"]}, "results": {"bindings": [{"city": {}}]}}},
        "city/other",
    ),
    "unknown city": ({"twins": results(("Q42", "Q220"))}, "city"),
    "literal instead of item": (
        {
            "twins": {
                "head": {"vars": ["city", "other"]},
                "results": {
                    "bindings": [
                        {
                            "city": {"type": "uri", "value": ENTITY + PARIS},
                            "other": {"type": "literal", "value": "Rome"},
                        }
                    ]
                },
            }
        },
        "other",
    ),
    "empty result": (
        {"twins": results(), "embassy": results(), "general": results()},
        "bindings",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
def test_bad_answer_names_source_url_and_field(server: HTTPServer, case: str):
    overrides, field = BAD_ANSWERS[case]
    serve(server, **overrides)
    with pytest.raises(SourceError) as raised:
        load()
    assert_names(raised.value, "wikidata", server.url_for(PATH), field)


def test_rate_limit_with_retry_after_then_success(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    import urllib3.util.retry

    slept: list[float] = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", slept.append)
    server.expect_ordered_request(PATH, method="POST").respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "3"}
    )
    serve(server)
    assert len(load()) == 5
    assert slept == [3.0]


@pytest.mark.parametrize("status", [400, 500, 502])
def test_http_errors_are_reported(server: HTTPServer, status: int):
    server.expect_request(PATH).respond_with_data("MalformedQueryException", status=status)
    with pytest.raises(SourceError, match=f"HTTP {status}") as raised:
        load()
    assert "[wikidata]" in str(raised.value) and server.url_for(PATH) in str(raised.value)


def test_html_with_status_200_is_rejected(server: HTTPServer):
    server.expect_request(PATH).respond_with_data(
        "<!DOCTYPE html><title>Wikimedia Error</title>", content_type="text/html"
    )
    with pytest.raises(SourceError, match="HTML page"):
        load()


# The snapshot: real exports ---------------------------------------------------------------

SNAPSHOT = wikidata.SOURCE.snapshot_dir / "wikidata"
# Counts of the shipped exports (period: 2022 missions export, 2016 P190 crawl, 2026 Wikipedia
# scrape). Hong Kong and Singapore are in no Wikipedia list: no row, not a zero.
KNOWN = {
    "foreign_missions": {  # in the city or within 30 km of its centre
        "hong-kong": 23,
        "singapore": 53,
        "tokyo": 160,
        "seoul": 74,
        "shanghai": 20,
        "london": 171,
        "paris": 176,
        "new-york": 22,
        "dubai": 6,
    },
    "sister_cities": {
        "hong-kong": 1,
        "singapore": 2,
        "tokyo": 18,
        "seoul": 30,
        "shanghai": 75,
        "london": 30,
        "paris": 10,
        "new-york": 18,
        "dubai": 39,
    },
    "sister_cities_wikipedia": {
        "tokyo": 10,
        "seoul": 22,
        "shanghai": 66,
        "london": 9,
        "paris": 1,
        "new-york": 8,
        "dubai": 11,
    },
}
PERIODS = {"foreign_missions": 2022, "sister_cities": 2016, "sister_cities_wikipedia": 2026}


def test_the_snapshot_gives_the_known_counts_per_city():
    source = sources.SOURCES["wikidata"]
    assert source.has_snapshot
    frame = source.observations(source.snapshot())
    got: dict[str, dict[str, float]] = {}
    for row in frame.itertuples():
        assert row.period == PERIODS[row.indicator_id], row
        got.setdefault(row.indicator_id, {})[row.geo_id] = row.value
    assert got == {k: {c: float(v) for c, v in counts.items()} for k, counts in KNOWN.items()}
    assert set(frame.geo_level) == {"city"} and set(frame.unit) == {"count"}
    assert not frame.approximate.any()
    assert set(frame.fetched_at.astype(str)) == {"2026-12-02 00:00:00+00:00"}


def test_the_manifest_lists_the_exports_whole_at_their_pinned_urls():
    manifest = json.loads((SNAPSHOT / "manifest.json").read_text())
    assert manifest["retrieved_at"] == "2026-12-02T00:00:00+00:00"
    assert [p["url"] for p in manifest["parts"]] == list(wikidata.EXPORTS)
    for part in manifest["parts"]:
        body = (SNAPSHOT / part["file"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == part["sha256"], part["file"]
    parts = wikidata.SOURCE.snapshot().parts
    assert [p.suffix for p in parts] == ["csv", "tsv", "tsv", "csv"]


def test_a_city_added_to_the_seed_gets_values_offline(monkeypatch: pytest.MonkeyPatch):
    """Whole exports ship, so a new city matched by its wikidata_id is counted too (Osaka;
    its country, Japan, is already in COUNTRY_CODES for the Wikipedia lists)."""
    osaka = City("osaka", "Osaka", "JPN", "Q35765", ("KIX", "ITM"), 34.6939, 135.5022)
    monkeypatch.setattr(wikidata, "load_cities", lambda: (*load_cities(), osaka))
    frame = wikidata.parse(wikidata.SOURCE.snapshot())
    got = {r.indicator_id: r.value for r in frame.itertuples() if r.geo_id == "osaka"}
    # missions: 16 recorded in Osaka itself, 23 within 30 km of its centre
    assert got == {"foreign_missions": 23.0, "sister_cities": 13.0, "sister_cities_wikipedia": 8.0}


def exports(**bodies: bytes) -> Payload:
    """The snapshot with some exports replaced: missions=, p190=, labels=, wikipedia=."""
    snapshot = wikidata.SOURCE.snapshot()
    parts = []
    for part in snapshot.parts:
        kind, _ = wikidata.EXPORTS[part.url]
        parts.append(Part(part.url, bodies[kind], part.suffix) if kind in bodies else part)
    return Payload("wikidata", tuple(parts), fetched_at=snapshot.fetched_at)


def body_of(kind: str) -> bytes:
    url = next(url for url, (k, _) in wikidata.EXPORTS.items() if k == kind)
    return next(p.body for p in wikidata.SOURCE.snapshot().parts if p.url == url)


def url_of(kind: str) -> str:
    return next(url for url, (k, _) in wikidata.EXPORTS.items() if k == kind)


HEADER = body_of("missions").split(b"\n", 1)[0].decode()
COLUMNS = HEADER.split(";")


def mission(operator: str, city: str, type_qid: str, qid: str, country: str = "") -> str:
    cells = dict.fromkeys(COLUMNS[:-1], "")
    cells |= {
        "operatorQID": ENTITY + operator,
        "countryQID": ENTITY + country if country else "",
        "cityQID": ENTITY + city,
        "typeQID": ENTITY + type_qid,
        "QID": ENTITY + qid,
    }
    return ";".join(cells.values())


def test_which_missions_count():
    """Embassies, consulates general etc. of foreign states whose P131 is the city itself;
    each mission item once."""
    germany, france, australia, ward = "Q183", "Q142", "Q408", "Q214051"  # ward: Minato, Tokyo
    rows = [
        mission(germany, PARIS, "Q3917681", "Q1001"),  # embassy
        mission(germany, PARIS, "Q372690", "Q1002"),  # consulate general
        mission(germany, PARIS, "Q372690", "Q1002"),  # the same item twice
        mission(australia, PARIS, "Q3917681", "Q1003", country=australia),  # P17 = sender
        mission(france, PARIS, "Q3917681", "Q1004"),  # the host state's own: not foreign
        mission(germany, PARIS, "Q23891529", "Q1005"),  # honorary consulate: not counted
        mission("Q176", PARIS, "Q431071", "Q1006"),  # Quebec Government Office: not a state
        mission(germany, ward, "Q3917681", "Q1007"),  # in a ward, not in Tokyo (Q1490) itself
        mission(germany, TOKYO, "Q18414273", "Q1008"),  # a high commission counts
    ]
    text = "\n".join([HEADER, *rows]) + "\n"
    frame = wikidata.parse(exports(missions=text.encode()))
    got = {r.geo_id: r.value for r in frame.itertuples() if r.indicator_id == "foreign_missions"}
    assert got == {"paris": 3.0, "tokyo": 1.0}


def test_p190_counts_distinct_items_in_either_direction():
    relations = f"{PARIS}\tQ220\nQ220\t{PARIS}\nQ1085\t{PARIS}\nQ1085\tQ220\n"
    labels = f"{PARIS}\tParis\nQ220\tRom\nQ1085\tKairo\n"
    frame = wikidata.parse(exports(p190=relations.encode(), labels=labels.encode()))
    got = {r.geo_id: r.value for r in frame.itertuples() if r.indicator_id == "sister_cities"}
    assert got == {"paris": 2.0}


def test_wikipedia_pairs_match_on_name_and_country():
    text = "\n".join(
        [
            "city1,country1,city2,country2",
            "Paris,France,Rome,Italy",
            "Rome,Italy,Paris,France",  # the same pair from the other side
            "Paris,United States,Tours,France",  # another Paris
            "London,Canada,Rome,Italy",  # another London
            "London,England,Tokyo,Japan",
            'Tokyo,Japan,London,"England, United Kingdom"',
            "Shanghai,China,Cork,Ireland",
            "Cork,Republic of Ireland,Shanghai,China",  # one Cork, spelt two ways
            "New York City,United States,Rome,Italy",  # Wikipedia's name for New York
            "Singapore,Malaysia,Rome,Italy",  # the wrong country: not Singapore
        ]
    )
    frame = wikidata.parse(exports(wikipedia=(text + "\n").encode()))
    got = {
        r.geo_id: r.value for r in frame.itertuples() if r.indicator_id == "sister_cities_wikipedia"
    }
    assert got == {"paris": 1.0, "london": 1.0, "tokyo": 1.0, "shanghai": 1.0, "new-york": 1.0}


def drop_column(data: bytes, name: str, delimiter: str) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter))
    index = rows[0].index(name)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerows([c for i, c in enumerate(row) if i != index] for row in rows)
    return out.getvalue().encode()


def first_column(data: bytes) -> bytes:
    return b"".join(line.split(b"\t")[0] + b"\n" for line in data.splitlines())


def latin1(data: bytes) -> bytes:
    """A Latin-1 byte at the start of the second line."""
    cut = data.index(b"\n") + 1
    return data[:cut] + "\u00e9".encode("latin-1") + data[cut:]


def wide_first_row(data: bytes) -> bytes:
    """Two cells too many on the first data row (the header has a trailing empty name)."""
    header, rest = data.split(b"\n", 1)
    return header + b"\n" + rest.replace(b"\n", b";extra;cells\n", 1)


def cut_at_line(data: bytes) -> bytes:
    """The first half of a file, up to and including a line break."""
    return data[: data.index(b"\n", len(data) // 2) + 1]


HTML_PAGE = b"<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>"
# What every export must refuse, and the field the error names.
COMMON_FAULTS = {
    "cut in half": (lambda b: b[: len(b) // 2], "body", "truncated"),
    "no final line break": (lambda b: b.rstrip(b"\n"), "body", "truncated"),
    "not UTF-8": (latin1, "body", "not UTF-8"),
    "an HTML page instead of the file": (lambda b: HTML_PAGE, "body", "HTML page"),
    "empty file": (lambda b: b"", "body", "empty file"),
}
MISSING_COLUMN = {
    "missions": (lambda b: drop_column(b, "cityQID", ";"), "cityQID", "missing column"),
    "wikipedia": (lambda b: drop_column(b, "country2", ","), "country2", "missing column"),
    "p190": (first_column, "twinned_item", "expected 2"),
    "labels": (first_column, "label", "expected 2"),
}
BAD_EXPORTS = {
    **{
        f"{kind}: {case}": (kind, *fault)
        for kind in ("missions", "p190", "labels", "wikipedia")
        for case, fault in COMMON_FAULTS.items()
    },
    **{f"{kind}: a missing column": (kind, *fault) for kind, fault in MISSING_COLUMN.items()},
    # a TSV cut at a line break no longer matches the other file of its crawl
    "p190: cut in half at a line break": ("p190", cut_at_line, "item", "crawl"),
    "labels: cut in half at a line break": ("labels", cut_at_line, "item", "crawl"),
    "missions: a row of the wrong width": ("missions", wide_first_row, "row", "row 2 has 27"),
    "wikipedia: a short row": ("wikipedia", lambda b: b + b"Tokyo,Japan\n", "row", "fields"),
    "missions: header only": (
        "missions",
        lambda b: b.split(b"\n")[0] + b"\n",
        "cityQID",
        "no mission",
    ),
    "missions: not a Wikidata item": (
        "missions",
        lambda b: b.replace(b"http://www.wikidata.org/entity/Q3917681", b"embassy"),
        "typeQID",
        "not a Wikidata item",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_EXPORTS))
def test_a_bad_export_names_source_url_and_field(case: str):
    kind, change, field, match = BAD_EXPORTS[case]
    payload = exports(**{kind: change(body_of(kind))})
    source = sources.SOURCES["wikidata"]
    with pytest.raises(SourceError, match=match) as raised:
        source.observations(payload)
    assert_names(raised.value, "wikidata", url_of(kind), field)


def test_exports_must_all_be_there_and_unmixed():
    snapshot = wikidata.SOURCE.snapshot()
    without_labels = replace(snapshot, parts=snapshot.parts[:2] + snapshot.parts[3:])
    with pytest.raises(SourceError, match="missing") as raised:
        wikidata.parse(without_labels)
    assert raised.value.field == "parts"
    sparql = Part("https://query.wikidata.org/sparql", json.dumps(results()).encode(), "json")
    with pytest.raises(SourceError, match="mixed") as raised:
        wikidata.parse(replace(snapshot, parts=(*snapshot.parts, sparql)))
    assert raised.value.field == "parts"
    stray = Part("https://example.org/other.csv", b"city1\n", "csv")
    with pytest.raises(SourceError, match="not a known export") as raised:
        wikidata.parse(replace(snapshot, parts=(stray,)))
    assert_names(raised.value, "wikidata", "https://example.org/other.csv", "url")
