"""Wikidata: sister cities (P190, both directions) and foreign missions per city, plus
Wikipedia's twin-town lists offline.

Two payload kinds, told apart by each part's URL (`parse`):

**Live** — the Wikidata Query Service. Queries are POSTed (form-encoded, they are long) to the
SPARQL endpoint with a descriptive User-Agent and `Accept: application/sparql-results+json`; one
query for twinnings and one per mission type in `MISSION_TYPES`, run one after another as WDQS
asks. A 200 whose JSON was cut by a server-side `TimeoutException` is rejected. The rows are
dated by the fetch: `sister_cities` (distinct items linked by P190 in either direction) and
`foreign_missions` (open embassies, consulates and consulates general located in the city,
P131*).

**Snapshot** — three public exports (four files), shipped whole in `sources/snapshots/wikidata/` (see its
README for publishers, commits and licences), each recognised by its commit-pinned URL in
`EXPORTS`, which also holds its vintage:

- `foreign_missions`, period 2022: the Wikidata diplomatic-missions export of 2022-11-16
  (database-of-embassies, `;`-separated, CC0). A mission counts for a city when its `cityQID`
  (the mission's direct P131) is the city's `wikidata_id` or its coordinates lie within
  `MISSION_RADIUS_KM` of the city centre (the seed's latitude/longitude: a mission recorded in
  a ward, borough or arrondissement is still the city's, as the live query's P131* has it),
  its `typeQID` is one of
  `COUNTED_MISSION_TYPES` (embassies, high commissions, the apostolic nunciature, consulates
  general, consulates, consular offices, de facto embassies and consulates, interests sections;
  not honorary consulates, consular agencies, sub-national, trade or liaison offices, or
  missions to international organisations) and its operator is not the city's own state
  (`HOST_STATES`). Distinct mission items are counted. This is a LOWER BOUND: the export
  covers consulates badly (Hong Kong, Shanghai, New York and Dubai, cities of consulates,
  come out far below capitals).
- `sister_cities`, period 2016: distinct items linked to the city by P190 in either direction
  in the 2016-09 crawl of Wikidata (`relations.tsv`, CC0); `names.tsv` holds the same crawl's
  label of every item and must agree with it item for item, so a file cut at a line break
  shows up unless every item on the lost lines also appears on the kept ones.
- `sister_cities_wikipedia`, period 2026: distinct partner (city, country) pairs in Wikipedia's
  "List of twin towns and sister cities in ..." pages scraped 2026-02 (CC BY-SA), on either
  side of a pair. A city matches on its name (`WIKIPEDIA_NAMES` where Wikipedia's differs) AND
  its country (`COUNTRY_CODES`, Wikipedia's country names to ISO3): "London, Canada" and
  "Paris, United States" are other cities. A city in a country missing from `COUNTRY_CODES`
  cannot match; add its name there.

In both kinds a city with no match gets no observation: absence in Wikidata or Wikipedia is not
a count of zero (Hong Kong and Singapore sign no formal twinnings and appear in no Wikipedia
list, so they have no `sister_cities_wikipedia` row). Cities come from the city seed by
Wikidata id. Licence CC0 (Wikidata); the Wikipedia lists are CC BY-SA.

A live refresh replaces the snapshot's rows with current-year ones of the live definitions
(P131*, so wards count; three mission types with their subclasses): not a continuous series,
and without `sister_cities_wikipedia`.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from sources.cities import load_cities, nearest_within
from sources.errors import SourceError
from sources.http import Client, is_html
from sources.observation import json_document, observation_frame, observation_schema
from sources.payload import Part, Payload
from sources.source import MONTHLY, Source

SOURCE_ID = "wikidata"
ENTITY = "http://www.wikidata.org/entity/"
ACCEPT = "application/sparql-results+json"
MISSION_TYPES = {
    "Q3917681": "embassy",
    "Q7843791": "consulate",
    "Q372690": "consulate general",
}
INDICATORS = {
    "sister_cities": "count",
    "foreign_missions": "count",
    "sister_cities_wikipedia": "count",
}
QID = re.compile(r"Q[1-9][0-9]*")

# Snapshot exports: commit-pinned URL -> (kind, period the figures describe).
RAW = "https://raw.githubusercontent.com"
EMBASSIES = "database-of-embassies/database-of-embassies/b1987a62f9412564fa33c5e9193a65319bc504a3"
P190_CRAWL = "L3viathan/sister-cities/fc3c936b923485c024a24386a96ba763aee636ce"
WIKIPEDIA = "Hekman/twincities/84ebdec26ee6878367953cfbc56311ae6452752b"
EXPORTS = {
    f"{RAW}/{EMBASSIES}/database_of_embassies.csv": ("missions", 2022),  # exported 2022-11-16
    f"{RAW}/{P190_CRAWL}/relations.tsv": ("p190", 2016),  # crawled 2016-09
    f"{RAW}/{P190_CRAWL}/names.tsv": ("labels", 2016),
    f"{RAW}/{WIKIPEDIA}/twin_cities_raw.csv": ("wikipedia", 2026),  # scraped 2026-02
}
MISSION_COLUMNS = ("operatorQID", "cityQID", "typeQID", "QID", "latitude", "longitude")
MISSION_RADIUS_KM = (
    30.0  # the city and its wards: Greater London, Tokyo's 23 wards, Paris's inner ring
)
# The export's `typeQID` values counted as resident missions of a foreign state.
COUNTED_MISSION_TYPES = {
    "Q3917681": "embassy",
    "Q113065939": "Embassy of the United States",
    "Q18414273": "high commission",
    "Q19600600": "British High Commission",
    "Q4824242": "Australian High Commission",
    "Q73088858": "assistant high commission",
    "Q620045": "apostolic nunciature",
    "Q5244910": "de facto embassy",
    "Q579581": "Taipei Representative Office",
    "Q372690": "consulate general",
    "Q108058047": "Consulate General of Sweden",
    "Q112307194": "Consulate General of Belgium",
    "Q7843791": "consulate",
    "Q10686185": "consulates of Sweden",
    "Q24868622": "consular office",
    "Q61881945": "de facto consulate",
    "Q94158456": "Interests Section",
    "Q213283": "diplomatic mission",
    "Q73414365": "diplomatic mission of El Salvador",
}
# A city's own state (its seed country_iso3 -> the Wikidata item of the state that conducts its
# foreign relations): a mission it operates there is not foreign. For a country not listed, the
# export's own `countryQID` is used, which is sometimes the sending state (P17 set on the
# mission), so list the country here when adding a city.
HOST_STATES = {
    "HKG": "Q148",  # People's Republic of China
    "SGP": "Q334",
    "JPN": "Q17",
    "KOR": "Q884",
    "CHN": "Q148",
    "GBR": "Q145",
    "FRA": "Q142",
    "USA": "Q30",
    "ARE": "Q878",
}
P190_COLUMNS = ("item", "twinned_item")
LABEL_COLUMNS = ("item", "label")
WIKIPEDIA_COLUMNS = ("city1", "country1", "city2", "country2")
# Wikipedia country names -> ISO3, for the seed's countries and for names the lists spell two
# ways (so one partner is not counted twice); any other name is kept as written.
COUNTRY_CODES = {
    "Hong Kong": "HKG",
    "Singapore": "SGP",
    "Japan": "JPN",
    "South Korea": "KOR",
    "China": "CHN",
    "United Kingdom": "GBR",
    "England": "GBR",
    "England, United Kingdom": "GBR",
    "Scotland": "GBR",
    "Scotland, United Kingdom": "GBR",
    "Wales": "GBR",
    "Wales, United Kingdom": "GBR",
    "Northern Ireland, United Kingdom": "GBR",
    "France": "FRA",
    "United States": "USA",
    "United Arab Emirates": "ARE",
    "Ireland": "IRL",
    "Republic of Ireland": "IRL",
    "Georgia": "GEO",
    "Georgia (country)": "GEO",
}
WIKIPEDIA_NAMES = {"new-york": "New York City"}  # city_id -> name on Wikipedia, where it differs


def city_ids() -> dict[str, str]:
    """Wikidata id -> city_id for every city in the seed."""
    return {city.wikidata_id: city.city_id for city in load_cities()}


# Live: the Wikidata Query Service ---------------------------------------------------------


def _values() -> str:
    return " ".join(f"wd:{qid}" for qid in city_ids())


def twins_query() -> str:
    return (
        "# citydip: sister cities\n"
        "SELECT DISTINCT ?city ?other WHERE {\n"
        f"  VALUES ?city {{ {_values()} }}\n"
        "  { ?city wdt:P190 ?other } UNION { ?other wdt:P190 ?city }\n"
        "}"
    )


def missions_query(mission_type: str) -> str:
    return (
        f"# citydip: foreign missions ({MISSION_TYPES[mission_type]})\n"
        "SELECT DISTINCT ?city ?other WHERE {\n"
        f"  VALUES ?city {{ {_values()} }}\n"
        f"  ?other wdt:P31/wdt:P279* wd:{mission_type} ;\n"
        "         wdt:P131* ?city .\n"
        "  FILTER NOT EXISTS { ?other wdt:P576 ?closed }\n"
        "}"
    )


def queries() -> list[tuple[str, str]]:
    """(indicator_id, SPARQL) in the order they are sent."""
    return [("sister_cities", twins_query())] + [
        ("foreign_missions", missions_query(t)) for t in MISSION_TYPES
    ]


def fetch(client: Client, base: str) -> list[Part]:
    parts = []
    for number, (_, sparql) in enumerate(queries(), start=1):
        client.check_page(number, base)
        parts.append(
            client.get(base, method="POST", data={"query": sparql}, headers={"Accept": ACCEPT})
        )
    return parts


def _bindings(part: Part) -> list[dict]:
    document = json_document(SOURCE_ID, part)
    try:
        variables = document["head"]["vars"]
        bindings = document["results"]["bindings"]
    except (KeyError, TypeError):
        raise SourceError(
            SOURCE_ID, part.url, "not SPARQL JSON results", "head.vars/results.bindings"
        ) from None
    missing = [v for v in ("city", "other") if v not in variables]
    if missing:
        raise SourceError(SOURCE_ID, part.url, f"variables {missing} not selected", "head.vars")
    return bindings


def parse_sparql(payload: Payload) -> pd.DataFrame:
    """The live payload: one SPARQL JSON result per query, in the order of `queries()`."""
    if len(payload.parts) != len(queries()):
        raise SourceError(
            SOURCE_ID,
            payload.parts[0].url if payload.parts else "",
            f"expected {len(queries())} query results, got {len(payload.parts)}",
            "body",
        )
    cities = city_ids()
    related: dict[tuple[str, str], set[str]] = {}
    for (indicator_id, _), part in zip(queries(), payload.parts, strict=True):
        for binding in _bindings(part):
            try:
                city_uri, other_uri = binding["city"]["value"], binding["other"]["value"]
            except (KeyError, TypeError):
                raise SourceError(
                    SOURCE_ID, part.url, f"binding without city/other: {binding}", "city/other"
                ) from None
            qid = city_uri.removeprefix(ENTITY)
            if qid not in cities:
                raise SourceError(SOURCE_ID, part.url, f"unknown city {city_uri!r}", "city")
            if not other_uri.startswith(ENTITY):
                raise SourceError(
                    SOURCE_ID, part.url, f"not a Wikidata item: {other_uri!r}", "other"
                )
            related.setdefault((indicator_id, cities[qid]), set()).add(other_uri)
    if not related:
        raise SourceError(
            SOURCE_ID, payload.parts[0].url, "every query came back empty", "bindings"
        )
    year = payload.fetched_at.year
    return _frame({(i, city, year): others for (i, city), others in related.items()}, payload)


# Snapshot: the shipped exports ------------------------------------------------------------


def _text(part: Part) -> str:
    """The export as text, refusing what is plainly not a whole export file."""
    if not part.body.strip():
        raise SourceError(SOURCE_ID, part.url, "empty file", "body")
    if is_html(part.body, ""):
        raise SourceError(SOURCE_ID, part.url, "an HTML page, not the export file", "body")
    try:
        text = part.body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(SOURCE_ID, part.url, f"not UTF-8: {exc.reason}", "body") from None
    if not text.endswith("\n"):
        raise SourceError(
            SOURCE_ID, part.url, "file ends mid-row (truncated?): no final line break", "body"
        )
    return text


def _header(part: Part, header: list[str], required: tuple[str, ...]) -> dict[str, int]:
    missing = [c for c in required if c not in header]
    if missing:
        raise SourceError(SOURCE_ID, part.url, "missing column(s)", ", ".join(missing))
    return {name: header.index(name) for name in required}


def _qid(part: Part, line: int, value: str, field: str) -> str:
    qid = value.strip().removeprefix(ENTITY)
    if not QID.fullmatch(qid):
        raise SourceError(
            SOURCE_ID, part.url, f"line {line}: {value!r} is not a Wikidata item", field
        )
    return qid


def _tsv(part: Part, columns: tuple[str, str]) -> list[tuple[int, str, str]]:
    """A headerless two-column TSV as (line, first, second)."""
    rows = []
    for line, text in enumerate(_text(part).splitlines(), start=1):
        fields = text.split("\t", 1)
        if len(fields) < 2:
            raise SourceError(
                SOURCE_ID, part.url, f"line {line} has 1 column, expected 2 {columns}", columns[1]
            )
        rows.append((line, fields[0], fields[1]))
    return rows


def missions(part: Part) -> dict[str, set[str]]:
    """city_id -> distinct foreign missions in that city (see the module docstring)."""
    seeded = load_cities()
    cities = {city.wikidata_id: city for city in seeded}
    reader = csv.reader(io.StringIO(_text(part), newline=""), delimiter=";")
    header = next(reader)
    column = _header(part, header, MISSION_COLUMNS)
    country = header.index("countryQID") if "countryQID" in header else None
    # the export's header ends with a ';' its rows do not repeat
    widths = {len(header), len(header) - 1} if header[-1] == "" else {len(header)}
    found: dict[str, set[str]] = {}
    for line, row in enumerate(reader, start=2):
        if len(row) not in widths:
            raise SourceError(
                SOURCE_ID,
                part.url,
                f"row {line} has {len(row)} fields, expected {max(widths)}",
                "row",
            )
        city = cities.get(row[column["cityQID"]].strip().removeprefix(ENTITY))
        if city is None:
            city = nearest_within(
                row[column["latitude"]], row[column["longitude"]], MISSION_RADIUS_KM, seeded
            )
        if city is None:
            continue
        if _qid(part, line, row[column["typeQID"]], "typeQID") not in COUNTED_MISSION_TYPES:
            continue
        operator = _qid(part, line, row[column["operatorQID"]], "operatorQID")
        host = HOST_STATES.get(city.country_iso3)
        if host is None and country is not None:
            host = row[country].strip().removeprefix(ENTITY)
        if operator == host:
            continue
        found.setdefault(city.city_id, set()).add(_qid(part, line, row[column["QID"]], "QID"))
    if not found:
        raise SourceError(SOURCE_ID, part.url, "no mission in any comparison city", "cityQID")
    return found


def twins(relations: Part, labels: Part) -> dict[str, set[str]]:
    """city_id -> distinct items linked to it by P190, in either direction."""
    cities = city_ids()
    items: set[str] = set()
    found: dict[str, set[str]] = {}
    for line, first, second in _tsv(relations, P190_COLUMNS):
        a = _qid(relations, line, first, P190_COLUMNS[0])
        b = _qid(relations, line, second, P190_COLUMNS[1])
        items |= {a, b}
        if a in cities and a != b:
            found.setdefault(cities[a], set()).add(b)
        if b in cities and a != b:
            found.setdefault(cities[b], set()).add(a)
    labelled = {_qid(labels, line, item, "item") for line, item, _ in _tsv(labels, LABEL_COLUMNS)}
    # one crawl wrote both files, one label per item: an item on one side only means a cut file
    for part, missing in ((labels, items - labelled), (relations, labelled - items)):
        if missing:
            raise SourceError(
                SOURCE_ID,
                part.url,
                f"{len(missing)} item(s) of the crawl missing here, e.g. {sorted(missing)[:3]} "
                "(truncated file, or relations and names from different crawls?)",
                "item",
            )
    if not found:
        raise SourceError(
            SOURCE_ID, relations.url, "no twinning of any comparison city", "item, twinned_item"
        )
    return found


def _place(city: str, country: str) -> tuple[str, str]:
    return city.strip(), COUNTRY_CODES.get(country.strip(), country.strip())


def wikipedia_partners(part: Part) -> dict[str, set[tuple[str, str]]]:
    """city_id -> distinct partner (city, country) pairs, the city on either side of a pair."""
    seeds = {
        (WIKIPEDIA_NAMES.get(city.city_id, city.city_name), city.country_iso3): city.city_id
        for city in load_cities()
    }
    reader = csv.reader(io.StringIO(_text(part), newline=""))
    column = _header(part, next(reader), WIKIPEDIA_COLUMNS)
    width = max(column.values()) + 1
    found: dict[str, set[tuple[str, str]]] = {}
    for line, row in enumerate(reader, start=2):
        if len(row) < width:
            raise SourceError(
                SOURCE_ID, part.url, f"row {line} has {len(row)} fields, expected 4", "row"
            )
        one = _place(row[column["city1"]], row[column["country1"]])
        two = _place(row[column["city2"]], row[column["country2"]])
        if one == two:
            continue
        if one in seeds:
            found.setdefault(seeds[one], set()).add(two)
        if two in seeds:
            found.setdefault(seeds[two], set()).add(one)
    if not found:
        raise SourceError(
            SOURCE_ID, part.url, "no pair names a comparison city", "city1, country1, city2"
        )
    return found


def parse_exports(payload: Payload) -> pd.DataFrame:
    """The snapshot: each export in `EXPORTS` exactly once."""
    parts: dict[str, Part] = {}
    for part in payload.parts:
        kind, _ = EXPORTS[part.url]
        if kind in parts:
            raise SourceError(SOURCE_ID, part.url, f"the {kind} export twice", "parts")
        parts[kind] = part
    missing = sorted({kind for kind, _ in EXPORTS.values()} - set(parts))
    if missing:
        raise SourceError(SOURCE_ID, payload.parts[0].url, f"export(s) missing: {missing}", "parts")
    period = {kind: year for kind, year in EXPORTS.values()}
    counts: dict[tuple[str, str, int], set] = {}
    for city_id, found in missions(parts["missions"]).items():
        counts[("foreign_missions", city_id, period["missions"])] = found
    for city_id, found in twins(parts["p190"], parts["labels"]).items():
        counts[("sister_cities", city_id, period["p190"])] = found
    for city_id, found in wikipedia_partners(parts["wikipedia"]).items():
        counts[("sister_cities_wikipedia", city_id, period["wikipedia"])] = found
    return _frame(counts, payload)


def parse(payload: Payload) -> pd.DataFrame:
    """Live SPARQL results or the snapshot's exports, told apart by each part's URL."""
    exports = [part.url in EXPORTS for part in payload.parts]
    if exports and all(exports):
        return parse_exports(payload)
    if any(exports):
        odd = next(p for p, export in zip(payload.parts, exports, strict=True) if not export)
        raise SourceError(
            SOURCE_ID, odd.url, "a SPARQL result mixed with the snapshot's exports", "parts"
        )
    for part in payload.parts:
        if part.suffix != "json":
            raise SourceError(
                SOURCE_ID,
                part.url,
                f"a .{part.suffix} file that is not a known export (see EXPORTS)",
                "url",
            )
    return parse_sparql(payload)


def _frame(counts: dict[tuple[str, str, int], set], payload: Payload) -> pd.DataFrame:
    rows = [
        {
            "indicator_id": indicator_id,
            "geo_id": city_id,
            "geo_level": "city",
            "period": period,
            "value": float(len(found)),
            "unit": INDICATORS[indicator_id],
            "approximate": False,
        }
        for (indicator_id, city_id, period), found in sorted(counts.items())
    ]
    return observation_frame(rows, payload)


SOURCE = Source(
    id=SOURCE_ID,
    title="Wikidata (sister cities and foreign missions)",
    publisher="Wikimedia Foundation: Wikidata (missions, P190); Wikipedia (twin-town lists)",
    licence="CC0 (Wikidata); the Wikipedia twin-town lists CC BY-SA 4.0",
    default_base_url="https://query.wikidata.org/sparql",
    cadence=MONTHLY,
    indicators=INDICATORS,
    fetch=fetch,
    parse=parse,
    schema=observation_schema(SOURCE_ID, INDICATORS, geo_ids=set(city_ids().values())),
    max_pages=len(MISSION_TYPES) + 1,
    description="Distinct twinned bodies (P190 in either direction) and foreign embassies, "
    "consulates and consulates general located in each city, as Wikidata states them; offline, "
    "from shipped exports (missions 2022, P190 2016) plus Wikipedia's twin-town lists (2026).",
)
