"""Fake providers on a local HTTP server: every source's snapshot served at the paths its live
client requests, with one response replaceable by a fault.

The paths come from the snapshot manifests (each part's URL minus the source's default base URL),
so a new source whose snapshot URLs are its live URLs gets a fake provider without code here.

Wikidata is the exception: its snapshot is export files (missions, P190, Wikipedia lists), while
its live client POSTs four SPARQL queries to one URL. Its fake provider therefore answers those
four POSTs, told apart by the query in the request body, with the SPARQL JSON results of
tests/sources/test_wikidata.py (`wikidata_parts`), one per query in the order the client sends.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from sources import SOURCES, wikidata
from sources.payload import Part

Handler = Callable[[Request], Response]
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


@dataclass(frozen=True)
class Served:
    """One snapshot part as the fake provider serves it."""

    source_id: str
    path: str  # below the source's base URL, e.g. /country/HKG;.../indicator/ST.INT.ARVL
    query: str
    part: Part

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.part.suffix, "application/octet-stream")

    def good(self) -> Response:
        return Response(self.part.body, status=200, content_type=self.content_type)


def served_parts(source_id: str) -> list[Served]:
    if source_id == wikidata.SOURCE_ID:
        return wikidata_parts()
    source = SOURCES[source_id]
    default = urlsplit(source.default_base_url)
    parts = []
    for part in source.snapshot().parts:
        url = urlsplit(part.url)
        assert url.netloc == default.netloc and url.path.startswith(default.path), (
            f"{source_id}: snapshot URL {part.url} is not below {source.default_base_url}"
        )
        parts.append(Served(source_id, url.path[len(default.path) :], url.query, part))
    return parts


def wikidata_parts() -> list[Served]:
    """What the live wikidata client is answered: one SPARQL JSON result per POSTed query, in
    `wikidata.queries()` order; `query` holds the query's first line (`# citydip: ...`), which
    is how `_by_sparql` tells the POSTs apart (they share one URL)."""
    from tests.sources.test_wikidata import answers

    documents = answers()
    url = SOURCES[wikidata.SOURCE_ID].default_base_url
    parts = []
    for _, sparql in wikidata.queries():
        first_line = sparql.splitlines()[0]
        body = json.dumps(documents[first_line]).encode()
        parts.append(Served(wikidata.SOURCE_ID, "", first_line, Part(url, body, "json")))
    return parts


def _by_sparql(parts: list[Served], handlers: list[Handler]) -> Handler:
    """One handler for the wikidata endpoint: the query's first line picks the response."""
    index = {served.query: i for i, served in enumerate(parts)}

    def handler(request: Request) -> Response:
        sparql = request.form.get("query", "")
        chosen = index.get(sparql.splitlines()[0] if sparql else "")
        if chosen is None:
            return Response("MalformedQueryException: unknown query", status=400)
        return handlers[chosen](request)

    return handler


# the same response format at a second path: Comtrade's subscription endpoint (used when
# CITYDIP_COMTRADE_KEY is set) answers as its public preview does, the one the snapshot is from
ALIASES = {"comtrade": {"/public/v1/preview/C/A/HS": "/data/v1/get/C/A/HS"}}


def base_path(source_id: str) -> str:
    return f"/{source_id}"


def serve(
    server: HTTPServer,
    source_id: str,
    fault: Handler | None = None,
    target: int = 0,
    on_request: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """Serve one source's snapshot (the `target` part through `fault` when given); return the
    environment that points the source's live client at the server. `on_request(source_id)`
    runs before every response (the crash tests use it to kill a refresh mid-fetch)."""
    parts = served_parts(source_id)
    if source_id == wikidata.SOURCE_ID:  # four POSTs to one URL, told apart by their query
        handlers = [
            _bound(fault if (fault is not None and i == target) else _good(s), s)
            for i, s in enumerate(parts)
        ]
        server.expect_request(base_path(source_id), method="POST").respond_with_handler(
            _observed(_by_sparql(parts, handlers), source_id, on_request)
        )
        return {f"CITYDIP_{source_id.upper()}_BASE_URL": server.url_for(base_path(source_id))}
    paths = [p.path for p in parts]
    for index, served in enumerate(parts):
        # the same path twice means pages told apart by their query string
        query = served.query if paths.count(served.path) > 1 else None
        handler = fault if (fault is not None and index == target) else _good(served)
        for path in (served.path, ALIASES.get(source_id, {}).get(served.path)):
            if path is not None:
                server.expect_request(
                    base_path(source_id) + path, query_string=query
                ).respond_with_handler(_observed(_bound(handler, served), source_id, on_request))
    return {f"CITYDIP_{source_id.upper()}_BASE_URL": server.url_for(base_path(source_id))}


def serve_all(
    server: HTTPServer,
    on_request: Callable[[str], None] | None = None,
    only: tuple[str, ...] | None = None,
) -> dict:
    """Serve the sources that ship a snapshot (or `only` these); the environment makes exactly
    those live, the others refresh in snapshot mode. Wikidata is answered in its live format
    (SPARQL JSON, see `wikidata_parts`), not with its export files."""
    served = [
        source_id
        for source_id, source in SOURCES.items()
        if source.has_snapshot and (only is None or source_id in only)
    ]
    env: dict[str, str] = {"CITYDIP_LIVE_SOURCES": ",".join(served)}
    for source_id in served:
        env |= serve(server, source_id, on_request=on_request)
    return env


def _observed(handler: Handler, source_id: str, on_request) -> Handler:
    if on_request is None:
        return handler

    def observed(request: Request) -> Response:
        on_request(source_id)
        return handler(request)

    return observed


def _good(served: Served) -> Handler:
    return lambda request: served.good()


def _bound(handler, served: Served) -> Handler:
    """Faults receive the part they replace, so they can corrupt the real response."""
    if getattr(handler, "wants_part", False):
        return lambda request: handler(request, served)
    return handler


def fault(function):
    """Mark a fault that takes (request, served) rather than (request)."""
    function.wants_part = True
    return function


# Transport-level misbehaviour -------------------------------------------------------------


def reset_connection(request: Request) -> Response:
    """Abort the TCP connection with a RST before any response byte."""
    sock = request.environ["werkzeug.socket"]
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    os.close(sock.detach())
    return Response(b"", status=200)


def trickle_headers(every: float) -> Handler:
    """A status line, then one header byte every `every` seconds, never ending the headers (a
    read timeout longer than `every` never fires)."""

    def handler(request: Request) -> Response:
        sock = request.environ["werkzeug.socket"]
        try:
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: ")
            for _ in range(600):
                time.sleep(every)
                sock.sendall(b"z")
        except OSError:  # the client hung up: what the deadline is for
            pass
        os.close(sock.detach())
        return Response(b"", status=200)

    return handler


def trickle_body(every: float) -> Handler:
    """The real response, one byte every `every` seconds."""

    @fault
    def handler(request: Request, served: Served) -> Response:
        def stream():
            for byte in served.part.body:
                time.sleep(every)
                yield bytes([byte])

        return Response(stream(), status=200, content_type=served.content_type)

    return handler


def sleeping(seconds: float) -> Handler:
    @fault
    def handler(request: Request, served: Served) -> Response:
        time.sleep(seconds)
        return served.good()

    return handler
