"""A response the client refuses never becomes a payload, but what the provider sent is kept for
inspection under raw/<source>/rejected/ and the error names the file (pipelines/defs/landing.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipelines.defs.landing import keep_rejected, land, latest_sha256, point_to_landed
from sources import SOURCES
from sources.errors import SourceError
from sources.http import Client, make_session
from sources.payload import Part, Payload
from tests.reliability.fault_corpus import HTML_PAGE, WB_ERROR_ENVELOPE, body
from tests.reliability.providers import serve
from tests.sources.faults import kept_file


def refused(fetch) -> SourceError:
    with pytest.raises(SourceError) as raised:
        fetch()
    return raised.value


def test_an_html_page_with_status_200_is_kept_as_html(httpserver: HTTPServer, tmp_path: Path):
    httpserver.expect_request("/data").respond_with_data(HTML_PAGE, content_type="text/html")
    error = refused(
        lambda: Client("demo", make_session(retries=0)).get(httpserver.url_for("/data"))
    )
    kept_error = keep_rejected(tmp_path / "raw", error)
    kept = kept_file(str(kept_error))
    assert kept.parent == tmp_path / "raw" / "demo" / "rejected" and kept.suffix == ".html"
    assert kept.read_bytes() == HTML_PAGE
    note = json.loads(kept.with_suffix(".note.json").read_text())
    assert note["url"] == httpserver.url_for("/data") and "HTML page" in note["error"]
    assert kept_error.field == "Content-Type" and kept_error.url == error.url
    assert latest_sha256(tmp_path / "raw", "demo") is None  # never the source's latest payload


def test_an_error_status_body_is_kept(httpserver: HTTPServer, tmp_path: Path):
    httpserver.expect_request("/data").respond_with_json({"message": "quota exceeded"}, status=403)
    error = refused(
        lambda: Client("demo", make_session(retries=0)).get(httpserver.url_for("/data"))
    )
    assert "HTTP 403" in str(error) and b"quota exceeded" in error.rejected.body
    kept = keep_rejected(tmp_path / "raw", error)
    path = kept_file(str(kept))
    assert path.suffix == ".json" and json.loads(path.read_text()) == {"message": "quota exceeded"}
    note = json.loads(path.with_suffix(".note.json").read_text())  # beside it, not over it
    assert "HTTP 403" in note["error"] and note["field"] == "status"


def test_a_provider_error_met_while_paging_is_kept(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    """The World Bank's `message` envelope is refused by its fetch (it reads the page count)."""
    for name, value in serve(httpserver, "worldbank", body(WB_ERROR_ENVELOPE)).items():
        monkeypatch.setenv(name, value)
    source = SOURCES["worldbank"]
    error = refused(lambda: source.fetch_live(make_session(retries=0)))
    assert error.field == "message"
    assert error.rejected is not None and error.rejected.body == WB_ERROR_ENVELOPE


def test_a_failed_write_still_reports_the_provider_error(httpserver: HTTPServer, tmp_path: Path):
    httpserver.expect_request("/data").respond_with_data(HTML_PAGE, content_type="text/html")
    error = refused(
        lambda: Client("demo", make_session(retries=0)).get(httpserver.url_for("/data"))
    )
    (tmp_path / "raw").write_text("a file where the folder should be")
    kept = keep_rejected(tmp_path / "raw", error)
    assert kept.field == error.field and str(error).split(" (field")[0] in str(kept)
    assert "the response could not be kept" in str(kept)


def test_a_transport_failure_has_nothing_to_keep(tmp_path: Path):
    client = Client("demo", make_session(retries=0))
    error = refused(lambda: client.get("http://127.0.0.1:9/data"))  # nothing listens there
    assert error.rejected is None and keep_rejected(tmp_path / "raw", error) is error
    assert not (tmp_path / "raw").exists()


def test_a_payload_its_schema_check_refuses_is_kept_where_the_error_says(tmp_path: Path):
    """A payload is landed before it is parsed; the check's error names the landed file: the
    response its URL names, or the manifest listing every response."""
    payload = Payload(
        "demo", (Part("http://x/a", b'{"a": 1}', "json"), Part("http://x/b", b'{"b": 2}', "json"))
    )
    land(tmp_path / "raw", payload)
    one = SourceError("demo", "http://x/b", "refYear '20x1' is not a whole number", "refYear")
    pointed = point_to_landed(tmp_path / "raw", payload, one)
    assert kept_file(str(pointed)).read_bytes() == b'{"b": 2}'
    assert pointed.field == "refYear" and pointed.url == "http://x/b" and "20x1" in str(pointed)
    every = SourceError("demo", payload.url, "1 schema problem(s): value: ...", "value")
    manifest = kept_file(str(point_to_landed(tmp_path / "raw", payload, every)))
    assert manifest.name == f"{payload.sha256}.manifest.json"
    assert [p["url"] for p in json.loads(manifest.read_text())["parts"]] == [
        "http://x/a",
        "http://x/b",
    ]
