"""Curated publications (QS, THE, GFCI, regional HQ): the shipped figures, and every publication's
live fetch from a local mirror with each bad input an operator meets."""

from __future__ import annotations

import csv
import io

import pytest
from pytest_httpserver import HTTPServer

from sources import SOURCES, curated
from sources.cities import load_cities
from sources.errors import SourceError
from sources.http import make_session
from sources.source import SNAPSHOT_ROOT, Source

PUBLICATIONS = [pytest.param(source, id=source.id) for source in curated.SOURCES]


def snapshot_frame(source_id: str):
    source = SOURCES[source_id]
    return source.observations(source.snapshot())


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    for source in curated.SOURCES:
        monkeypatch.setenv(f"CITYDIP_{source.id.upper()}_BASE_URL", httpserver.url_for(source.id))
    monkeypatch.setenv("CITYDIP_HTTP_BACKOFF", "0")
    return httpserver


def first_file(source: Source) -> str:
    return curated.files(source.id)[0]


def shipped(source: Source, name: str) -> bytes:
    return (SNAPSHOT_ROOT / source.id / name).read_bytes()


def serve(server: HTTPServer, source: Source, replace: bytes | None = None, **kwargs) -> None:
    """Every file of the publication, the first one replaced by `replace` when given."""
    for name in curated.files(source.id):
        body = replace if (replace is not None and name == first_file(source)) else None
        server.expect_request(f"/{source.id}/{name}").respond_with_data(
            body if body is not None else shipped(source, name),
            content_type=kwargs.get("content_type", "text/csv"),
            status=kwargs.get("status", 200),
        )


def error_of(server: HTTPServer, source: Source, replace: bytes | None = None, **kw):
    serve(server, source, replace, **kw)
    with pytest.raises(SourceError) as raised:
        source.observations(source.fetch_live(make_session()))
    assert f"[{source.id}]" in str(raised.value)
    assert server.url_for(f"/{source.id}/") in str(raised.value)
    return raised.value


def with_row(source: Source, **values: str) -> bytes:
    """The first file plus one row: a copy of its first row with `values` changed."""
    text = shipped(source, first_file(source)).decode()
    reader = csv.DictReader(io.StringIO(text))
    row = {**next(reader), **values}
    out = io.StringIO()
    csv.DictWriter(out, list(reader.fieldnames or []), lineterminator="\n").writerow(row)
    return (text + out.getvalue()).encode()


def test_every_publication_is_its_own_source():
    ids = {source.id for source in curated.SOURCES}
    assert ids == {
        "qs_rankings",
        "the_rankings",
        "gfci",
        "regional_hq",
        "ipo_funds",
        "un_wup",
        "gdci",
        "gawc",
        "qs_student_cities",
        "michelin",
        "unesco_whc",
        "metro_gdp",
    }
    assert ids <= set(SOURCES)
    indicators = [i for source in curated.SOURCES for i in source.indicators]
    assert len(indicators) == len(set(indicators))  # no indicator claimed by two publications


def test_typed_figures_are_marked_approximate():
    for source_id in ("gfci", "regional_hq", "ipo_funds"):
        assert snapshot_frame(source_id)["approximate"].all(), source_id
    hq = snapshot_frame("regional_hq").set_index("geo_id")["value"]
    assert hq.to_dict() == {"hong-kong": 1336.0, "singapore": 4200.0}


def test_gfci_has_one_september_edition_per_year_for_every_city():
    gfci = snapshot_frame("gfci")
    cities = {city.city_id for city in load_cities()}
    assert set(gfci.period) == {2024, 2025}  # GFCI 36 (September 2024), GFCI 38 (September 2025)
    for (period, indicator), rows in gfci.groupby(["period", "indicator_id"]):
        assert set(rows.geo_id) == cities, (period, indicator)
        assert len(rows) == len(cities), (period, indicator)
    with (SNAPSHOT_ROOT / "gfci" / curated.files("gfci")[0]).open(encoding="utf-8") as handle:
        editions = {(row["period"], row["publication"]) for row in csv.DictReader(handle)}
    assert editions == {
        ("2024", "The Global Financial Centres Index 36 (September 2024)"),
        ("2025", "The Global Financial Centres Index 38 (September 2025)"),
    }
    value = gfci.set_index(["indicator_id", "period", "geo_id"])["value"]
    assert value[("gfci_rank", 2024, "hong-kong")] == 3
    assert value[("gfci_rating", 2024, "tokyo")] == 719
    assert value[("gfci_rank", 2025, "tokyo")] == 15
    assert value[("gfci_rating", 2025, "new-york")] == 766
    assert value[("gfci_rank", 2025, "dubai")] == 11
    units = gfci.groupby("indicator_id")["unit"].unique().map(list).to_dict()
    assert units == {"gfci_rank": ["rank"], "gfci_rating": ["rating"]}
    ranks = gfci[gfci.indicator_id == "gfci_rank"]
    assert ranks.groupby("period")["value"].apply(lambda v: v.is_unique).all()


def test_qs_counts_universities_in_the_top_100_per_city():
    frame = snapshot_frame("qs_rankings")
    counts = frame[frame.period == 2025].set_index("geo_id")["value"].to_dict()
    assert counts["hong-kong"] == 5  # HKU, CUHK, HKUST, PolyU, CityU in QS 2025's top 100
    assert counts["dubai"] == 0
    assert len(counts) == 9
    assert not frame["approximate"].any()  # derived by program, not typed


def test_the_share_is_a_derived_percentage_per_city_and_edition():
    share = snapshot_frame("the_rankings")
    assert share["value"].between(0, 100).all()
    assert not share["approximate"].any()
    assert set(share.period) == set(range(2016, 2025))
    assert "dubai" not in set(share.geo_id)  # no Dubai institution in the THE compilation
    assert share.set_index(["geo_id", "period"]).loc[("hong-kong", 2024), "value"] == 36.5


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_live_fetch_loads_the_served_files(server: HTTPServer, source: Source):
    serve(server, source)
    frame = source.observations(source.fetch_live(make_session()))
    assert len(frame) == len(snapshot_frame(source.id))
    assert set(frame.source_id) == {source.id}


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_http_error(server: HTTPServer, source: Source):
    assert "HTTP 500" in str(error_of(server, source, status=500))


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_html_page(server: HTTPServer, source: Source):
    assert "HTML page" in str(error_of(server, source, b"<html><body>Not here</body></html>"))


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_missing_column(server: HTTPServer, source: Source):
    text = shipped(source, first_file(source)).decode().replace("source_url", "link", 1)
    assert error_of(server, source, text.encode()).field == "source_url"


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_wrong_encoding(server: HTTPServer, source: Source):
    body = shipped(source, first_file(source)).decode().encode("utf-16")
    assert "not UTF-8" in str(error_of(server, source, body))


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_non_numeric_value(server: HTTPServer, source: Source):
    assert error_of(server, source, with_row(source, value="n/a")).field == "value"


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_row_without_provenance(server: HTTPServer, source: Source):
    error = error_of(server, source, with_row(source, period="1951", publisher=""))
    assert "no provenance" in str(error)


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_negative_value(server: HTTPServer, source: Source):
    assert "negative" in str(error_of(server, source, with_row(source, period="1951", value="-3")))


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_duplicate_figure(server: HTTPServer, source: Source):
    assert "duplicate" in str(error_of(server, source, with_row(source)))


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_unknown_city_code(server: HTTPServer, source: Source):
    error = error_of(server, source, with_row(source, geo_id="atlantis"))
    assert error.field == "geo_id" and "atlantis" in str(error)


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_indicator_of_another_publication(server: HTTPServer, source: Source):
    other = next(s for s in curated.SOURCES if s is not source)
    indicator = next(iter(other.indicators))
    error = error_of(server, source, with_row(source, indicator_id=indicator, period="1951"))
    assert error.field.startswith("indicator_id") and indicator in str(error)


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_row_longer_than_the_header(server: HTTPServer, source: Source):
    body = with_row(source, period="1951").rstrip(b"\n") + b",unquoted comma\n"
    assert error_of(server, source, body).field == "row"


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_row_shorter_than_the_header(server: HTTPServer, source: Source):
    text = shipped(source, first_file(source)).decode()
    first_row = next(csv.reader(io.StringIO(text.splitlines()[1])))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(first_row[:-2])  # as_of and note missing
    error = error_of(server, source, (text + out.getvalue()).encode())
    assert error.field == "row" and "fewer fields than the header" in str(error)


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_file_cut_mid_row(server: HTTPServer, source: Source):
    """A file cut short (no final line break) loses its last rows: refused, not half-loaded."""
    cut = shipped(source, first_file(source)).rstrip(b"\n")
    cut = cut[: cut.rindex(b"\n") + 40]  # the last row's first 40 bytes
    error = error_of(server, source, cut)
    assert error.field == "body" and "truncated" in str(error)


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_quote_left_open(server: HTTPServer, source: Source):
    body = with_row(source, period="1951").rstrip(b"\n") + b',"an open quote\n'
    error = error_of(server, source, body)
    assert error.field == "row" and "malformed CSV" in str(error)


@pytest.mark.parametrize("source", PUBLICATIONS)
def test_empty_result(server: HTTPServer, source: Source):
    header_only = shipped(source, first_file(source)).decode().splitlines()[0].encode()
    assert "no observations" in str(error_of(server, source, header_only))


@pytest.mark.parametrize(
    "period, problem",
    [
        ("２０１９", "'２０１９' is not a whole number"),  # full-width digits
        ("2010.7", "'2010.7' is not a whole number"),
        ("2099", "in_range(1950,"),  # after the publication's last year
        ("1850", "in_range(1950,"),
    ],
)
def test_years_outside_the_publication_or_not_ascii_whole_numbers(
    server: HTTPServer, period: str, problem: str
):
    source = curated.QS_RANKINGS
    error = error_of(server, source, with_row(source, period=period))
    assert error.field == "period" and problem in str(error), str(error)
