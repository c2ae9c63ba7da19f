"""Resource bounds: a response size cap and a page cap for every source, and a refresh of the
default data in under 1 GiB of memory (the whole process tree, dbt included)."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from pipelines.settings import SettingsError, load_http_limits
from sources import SOURCES
from sources.errors import SourceError
from sources.http import Client, HttpLimits, make_session

GIB = 1024**3


def test_refresh_peak_memory_under_one_gib(warehouse):
    # sampled every 50 ms over the refresh and all its descendants (conftest.tree_rss_bytes)
    assert 0 < warehouse.peak_rss_bytes < GIB, f"{warehouse.peak_rss_bytes / 2**20:.0f} MiB"


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_every_source_has_a_page_cap(source_id):
    assert 0 < SOURCES[source_id].max_pages <= 100


def test_the_caps_and_deadlines_default_and_are_configurable():
    default = load_http_limits({})
    assert default == HttpLimits()
    assert (default.max_bytes, default.max_fetch_bytes) == (64 * 2**20, 128 * 2**20)
    assert (default.request_deadline, default.fetch_deadline) == (180, 600)
    changed = load_http_limits(
        {
            "CITYDIP_HTTP_MAX_BYTES": "1000",
            "CITYDIP_HTTP_MAX_FETCH_BYTES": "5000",
            "CITYDIP_HTTP_DEADLINE": "2.5",
            "CITYDIP_HTTP_FETCH_DEADLINE": "30",
        }
    )
    assert (changed.max_bytes, changed.max_fetch_bytes) == (1000, 5000)
    assert (changed.request_deadline, changed.fetch_deadline) == (2.5, 30)


@pytest.mark.parametrize(
    "name",
    [
        "CITYDIP_HTTP_DEADLINE",
        "CITYDIP_HTTP_FETCH_DEADLINE",
        "CITYDIP_HTTP_MAX_FETCH_BYTES",
        "CITYDIP_HTTP_MAX_BYTES",
    ],
)
def test_a_bad_limit_is_reported_in_one_line_naming_its_variable(name):
    with pytest.raises(SettingsError) as raised:
        load_http_limits({name: "soon"})
    assert str(raised.value).startswith(name) and "\n" not in str(raised.value)


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
