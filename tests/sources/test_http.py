"""The shared client: Retry-After, conditional requests (ETag/Last-Modified -> 304), bounded
paging, secrets kept out of messages, timeouts and server timeouts inside a 200."""

from __future__ import annotations

import functools
import hashlib
import json
import time
from pathlib import Path

import pytest
import urllib3.util.retry
from pytest_httpserver import HTTPServer

from pipelines.defs.landing import land
from sources.conditional import ConditionalCache
from sources.errors import SourceError
from sources.http import Client, HttpLimits, make_session
from sources.payload import Part, Payload
from tests.reliability.providers import Served, trickle_body, trickle_headers
from tests.sources.faults import slow


def test_retry_after_is_honoured_on_429(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch):
    slept: list[float] = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", slept.append)
    httpserver.expect_ordered_request("/data").respond_with_json(
        {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 7 seconds."},
        status=429,
        headers={"Retry-After": "7"},
    )
    httpserver.expect_ordered_request("/data").respond_with_json({"ok": True})
    part = Client("demo", make_session(backoff=0)).get(httpserver.url_for("/data"))
    assert json.loads(part.body) == {"ok": True}
    assert slept == [7.0]


def test_etag_makes_the_next_request_conditional_and_304_reuses_the_landed_body(
    httpserver: HTTPServer, tmp_path: Path
):
    url = httpserver.url_for("/institutions")
    cache = ConditionalCache(tmp_path / "raw" / "demo")
    httpserver.expect_ordered_request("/institutions").respond_with_data(
        '{"results": [1]}',
        content_type="application/json",
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jul 2026 00:00:00 GMT"},
    )
    httpserver.expect_ordered_request(
        "/institutions",
        headers={"If-None-Match": '"v1"', "If-Modified-Since": "Wed, 01 Jul 2026 00:00:00 GMT"},
    ).respond_with_data("", status=304)
    client = Client("demo", make_session(retries=0), cache=cache)
    first = client.get(url)
    land(tmp_path / "raw", Payload("demo", (first,)))
    second = client.get(url)
    httpserver.check_assertions()
    assert second.body == first.body and second.sha256 == first.sha256
    assert Payload("demo", (second,)).sha256 == Payload("demo", (first,)).sha256


def test_no_conditional_request_when_the_validated_body_was_never_landed(
    httpserver: HTTPServer, tmp_path: Path
):
    cache = ConditionalCache(tmp_path / "demo")
    httpserver.expect_request("/x").respond_with_data(
        "{}", content_type="application/json", headers={"ETag": '"v1"'}
    )
    client = Client("demo", make_session(retries=0), cache=cache)
    client.get(httpserver.url_for("/x"))
    client.get(httpserver.url_for("/x"))
    assert all("If-None-Match" not in request.headers for request, _ in httpserver.log)


def test_page_guard_names_source_url_and_field():
    client = Client("demo", make_session(), max_pages=3)
    client.check_page(3, "http://mirror.example/api")
    with pytest.raises(SourceError, match=r"more than 3 pages") as raised:
        client.check_page(4, "http://mirror.example/api")
    assert "[demo]" in str(raised.value) and "http://mirror.example/api" in str(raised.value)
    assert raised.value.field == "pages"


def test_a_secret_echoed_by_the_provider_never_reaches_the_message(httpserver: HTTPServer):
    httpserver.expect_request("/get").respond_with_data(
        "Access denied due to invalid subscription key s3cr3t-k3y", status=401
    )
    client = Client("demo", make_session(retries=0), secrets=("s3cr3t-k3y",))
    with pytest.raises(SourceError) as raised:
        client.get(httpserver.url_for("/get"), params={"subscription-key": "s3cr3t-k3y"})
    assert "s3cr3t-k3y" not in str(raised.value)
    assert "HTTP 401" in str(raised.value)


def test_read_timeout_is_reported(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CITYDIP_HTTP_READ_TIMEOUT", "0.2")
    httpserver.expect_request("/slow").respond_with_handler(slow(1.0))
    with pytest.raises(SourceError, match="timed out") as raised:
        Client("demo", make_session(retries=0)).get(httpserver.url_for("/slow"))
    assert httpserver.url_for("/slow") in str(raised.value)


def test_json_cut_by_a_server_timeout_in_a_200_is_rejected(httpserver: HTTPServer):
    body = '{"head":{"vars":["city"]},"results":{"bindings":[{"city":{"type":"uri","value":"http'
    body += "\njava.util.concurrent.TimeoutException\n\tat java.util.concurrent.FutureTask.get"
    httpserver.expect_request("/sparql").respond_with_data(
        body, content_type="application/sparql-results+json"
    )
    with pytest.raises(SourceError, match="TimeoutException") as raised:
        Client("demo", make_session(retries=0)).get(httpserver.url_for("/sparql"))
    assert raised.value.field == "body"


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_trickle_fails_at_the_deadline(where: str, httpserver: HTTPServer, monkeypatch):
    """One byte every 0.2 s never trips the 5 s read timeout; the 1 s deadline stops it, in
    one line naming source, URL and the variable."""
    monkeypatch.setenv("CITYDIP_HTTP_DEADLINE", "1")
    monkeypatch.setenv("CITYDIP_HTTP_READ_TIMEOUT", "5")
    handler = trickle_headers(0.2) if where == "headers" else trickle_body(0.2)
    if where == "body":
        served = Served("demo", "/slow", "", Part("u", b'{"a": 1}' * 100, "json"))
        handler = functools.partial(handler, served=served)
    httpserver.expect_request("/slow").respond_with_handler(handler)
    started = time.monotonic()
    with pytest.raises(SourceError) as raised:
        Client("demo", make_session(retries=2, backoff=0)).get(httpserver.url_for("/slow"))
    assert time.monotonic() - started < 3
    message = str(raised.value)
    assert "\n" not in message and message.startswith("[demo]")
    assert "exceeded its deadline of 1 s (CITYDIP_HTTP_DEADLINE)" in message
    assert httpserver.url_for("/slow") in message and raised.value.field == "deadline"


def test_a_secret_is_masked_while_streaming_across_chunks(httpserver: HTTPServer, tmp_path):
    """The key straddles the 64 KiB chunk boundary; the file streamed to disk never holds it."""
    key = "k3y-" + "x" * 40
    body = b'{"pad": "' + b" " * (65536 - 20) + b'", "echo": "' + key.encode() + b'"}'
    httpserver.expect_request("/echo").respond_with_data(body, content_type="application/json")
    client = Client("demo", make_session(retries=0), secrets=(key,), incoming=tmp_path / "in")
    part = client.get(httpserver.url_for("/echo"))
    assert part.path is not None and part.path.parent == tmp_path / "in"
    assert key.encode() not in part.path.read_bytes()
    assert part.body == body.replace(key.encode(), b"***")
    assert part.sha256 == hashlib.sha256(part.body).hexdigest()


def test_credential_headers_are_dropped_on_a_redirect_to_another_host(httpserver: HTTPServer):
    """requests drops Authorization on a cross-host redirect; citydip drops every credential
    header (here Comtrade's Ocp-Apim-Subscription-Key) the same way, and keeps the others."""
    other = httpserver.url_for("/moved").replace("localhost", "127.0.0.1")
    httpserver.expect_request("/start").respond_with_data("", 302, {"Location": other})
    httpserver.expect_request("/moved").respond_with_json({"ok": True})
    headers = {"Ocp-Apim-Subscription-Key": "s3cr3t", "Accept": "application/json"}
    Client("demo", make_session(retries=0)).get(httpserver.url_for("/start"), headers=headers)
    (first, _), (moved, _) = httpserver.log
    assert first.headers["Ocp-Apim-Subscription-Key"] == "s3cr3t"
    assert "Ocp-Apim-Subscription-Key" not in moved.headers
    assert moved.headers["Accept"] == "application/json"


def test_the_fetch_cap_counts_every_response(httpserver: HTTPServer):
    httpserver.expect_request("/page").respond_with_data(
        b"[" + b" " * 400 + b"]", content_type="application/json"
    )
    limits = HttpLimits(max_fetch_bytes=1000)
    client = Client("demo", make_session(retries=0), limits=limits)
    client.get(httpserver.url_for("/page"))
    client.get(httpserver.url_for("/page"))
    with pytest.raises(SourceError, match="CITYDIP_HTTP_MAX_FETCH_BYTES") as raised:
        client.get(httpserver.url_for("/page"))
    assert raised.value.field == "body"
