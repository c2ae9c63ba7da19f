"""Shared assertions for the bad-input tests of every source."""

from __future__ import annotations

import time
from pathlib import Path

from werkzeug import Request, Response

from sources.errors import SourceError


def assert_names(error: SourceError, source_id: str, url: str, field: str) -> None:
    """The message an operator reads names the source, the URL and the field."""
    message = str(error)
    assert message.startswith(f"[{source_id}]"), message
    assert url in message, message
    assert f"(field '{field}')" in message or f"(field '{field}," in message, message


def slow(seconds: float, body: str = "{}"):
    """A handler that answers only after `seconds` (to trip the client's read timeout)."""

    def handler(request: Request) -> Response:
        time.sleep(seconds)
        return Response(body, content_type="application/json")

    return handler


def kept_file(message: str) -> Path:
    """The file a refused response was kept in, as the error message names it."""
    return Path(message.split("the response is kept as ")[1].split(" (field")[0])
