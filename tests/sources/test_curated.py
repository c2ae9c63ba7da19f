"""Curated publication CSVs: the shipped figures and a live fetch from a local mirror."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from sources import curated
from sources.errors import SourceError
from sources.http import make_session
from sources.source import SNAPSHOT_ROOT

FOLDER = SNAPSHOT_ROOT / "curated"


@pytest.fixture
def snapshot_frame():
    return curated.SOURCE.observations(curated.SOURCE.snapshot())


@pytest.fixture
def server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("CITYDIP_CURATED_BASE_URL", httpserver.url_for("/curated"))
    monkeypatch.setenv("CITYDIP_HTTP_BACKOFF", "0")
    return httpserver


def serve(server: HTTPServer, replace: dict[str, bytes] | None = None, **kwargs) -> None:
    """Every shipped file, with some replaced."""
    for name in curated.files():
        body = (replace or {}).get(name, (FOLDER / name).read_bytes())
        server.expect_request(f"/curated/{name}").respond_with_data(
            body,
            content_type=kwargs.get("content_type", "text/csv"),
            status=kwargs.get("status", 200),
        )


def error_of(server: HTTPServer) -> SourceError:
    with pytest.raises(SourceError) as raised:
        curated.SOURCE.observations(curated.SOURCE.fetch_live(make_session()))
    assert "[curated]" in str(raised.value)
    assert server.url_for("/curated/") in str(raised.value)
    return raised.value


def gfci_with(line: str) -> dict[str, bytes]:
    return {"gfci_rank.csv": (FOLDER / "gfci_rank.csv").read_bytes() + line.encode() + b"\n"}


def test_typed_figures_are_marked_approximate(snapshot_frame):
    typed = snapshot_frame[snapshot_frame.indicator_id.isin(["gfci_rank", "regional_headquarters"])]
    assert typed["approximate"].all() and len(typed) == 8
    hq = typed[typed.indicator_id == "regional_headquarters"].set_index("geo_id")["value"]
    assert hq.to_dict() == {"hong-kong": 1336.0, "singapore": 4200.0}


def test_gfci_ranks_are_from_one_edition(snapshot_frame):
    gfci = snapshot_frame[snapshot_frame.indicator_id == "gfci_rank"].set_index("geo_id")
    assert set(gfci["period"]) == {2024}
    assert gfci["value"].to_dict() == {
        "new-york": 1.0,
        "london": 2.0,
        "singapore": 3.0,
        "hong-kong": 4.0,
        "shanghai": 6.0,
        "seoul": 10.0,
    }


def test_the_share_is_a_derived_percentage_per_city_and_edition(snapshot_frame):
    share = snapshot_frame[snapshot_frame.indicator_id == "the_intl_student_share"]
    assert share["value"].between(0, 100).all()
    assert not share["approximate"].any()
    assert set(share.period) == set(range(2016, 2025))
    assert "dubai" not in set(share.geo_id)  # no Dubai institution in the THE compilation
    assert share.set_index(["geo_id", "period"]).loc[("hong-kong", 2024), "value"] == 36.5


def test_live_fetch_loads_the_served_files(server: HTTPServer, snapshot_frame):
    serve(server)
    frame = curated.SOURCE.observations(curated.SOURCE.fetch_live(make_session()))
    assert len(frame) == len(snapshot_frame)


def test_http_error(server: HTTPServer):
    serve(server, status=500)
    assert "HTTP 500" in str(error_of(server))


def test_html_page(server: HTTPServer):
    serve(server, {"gfci_rank.csv": b"<html><body>Not here</body></html>"})
    assert "HTML page" in str(error_of(server))


def test_missing_column(server: HTTPServer):
    text = (FOLDER / "gfci_rank.csv").read_text().replace("source_url", "link", 1)
    error = error_of_served(server, {"gfci_rank.csv": text.encode()})
    assert error.field == "source_url"


def error_of_served(server: HTTPServer, replace: dict[str, bytes]) -> SourceError:
    serve(server, replace)
    return error_of(server)


def test_wrong_encoding(server: HTTPServer):
    body = (FOLDER / "gfci_rank.csv").read_text().encode("utf-16")
    assert "not UTF-8" in str(error_of_served(server, {"gfci_rank.csv": body}))


def test_non_numeric_value(server: HTTPServer):
    row = "gfci_rank,tokyo,city,2024,n/a,rank,true,Z/Yen,GFCI 35,https://x.example,2024-03,"
    assert error_of_served(server, gfci_with(row)).field == "value/period"


def test_negative_rank(server: HTTPServer):
    row = "gfci_rank,tokyo,city,2024,-3,rank,true,Z/Yen,GFCI 35,https://x.example,2024-03,"
    assert "negative" in str(error_of_served(server, gfci_with(row)))


def test_duplicate_figure(server: HTTPServer):
    row = "gfci_rank,seoul,city,2024,11,rank,true,Z/Yen,GFCI 35,https://x.example,2024-03,"
    assert "duplicate" in str(error_of_served(server, gfci_with(row)))


def test_unknown_city_code(server: HTTPServer):
    row = "gfci_rank,atlantis,city,2024,12,rank,true,Z/Yen,GFCI 35,https://x.example,2024-03,"
    error = error_of_served(server, gfci_with(row))
    assert error.field == "geo_id" and "atlantis" in str(error)


def test_empty_result(server: HTTPServer):
    empty = {name: (FOLDER / name).read_text().splitlines()[0].encode() for name in curated.files()}
    assert "no observations" in str(error_of_served(server, empty))
