"""Resource bounds: a response size cap and a page cap for every source, and a refresh of the
default data in under 1 GiB of memory (the whole process tree, dbt included)."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from sources import SOURCES
from sources.errors import SourceError
from sources.http import Client, make_session, max_body_bytes

GIB = 1024**3


def test_refresh_peak_memory_under_one_gib(warehouse):
    # sampled every 50 ms over the refresh and all its descendants (conftest.tree_rss_bytes)
    assert 0 < warehouse.peak_rss_bytes < GIB, f"{warehouse.peak_rss_bytes / 2**20:.0f} MiB"


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_every_source_has_a_page_cap(source_id):
    assert 0 < SOURCES[source_id].max_pages <= 100


def test_the_size_cap_defaults_to_64_mib_and_is_configurable(monkeypatch):
    assert max_body_bytes() == 64 * 2**20
    monkeypatch.setenv("CITYDIP_HTTP_MAX_BYTES", "1000")
    assert max_body_bytes() == 1000


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_a_body_beyond_the_cap_is_never_held_whole(
    declared: bool, httpserver: HTTPServer, monkeypatch
):
    """The client stops reading at the cap: a provider cannot make citydip buffer 50 MB."""
    monkeypatch.setenv("CITYDIP_HTTP_MAX_BYTES", str(2**20))
    chunk, sent = b"x" * 2**16, []

    def stream():
        for _ in range(800):  # 50 MiB if read to the end
            sent.append(len(chunk))
            yield chunk

    from werkzeug import Response

    headers = {"Content-Length": str(800 * len(chunk))} if declared else {}
    httpserver.expect_request("/big").respond_with_response(
        Response(stream(), headers=headers, content_type="application/json")
    )
    with pytest.raises(SourceError, match="exceeds the cap"):
        Client("test", make_session(retries=0)).get(httpserver.url_for("/big"))
    assert sum(sent) < 50 * 2**20
