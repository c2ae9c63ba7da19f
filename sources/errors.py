"""The one error a source raises when a provider sent something citydip cannot use."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sources.payload import Part


class SourceError(Exception):
    """Names the source, the URL and (where known) the field, so an operator can act on it."""

    def __init__(
        self,
        source_id: str,
        url: str,
        problem: str,
        field: str | None = None,
        rejected: Part | None = None,
    ):
        from sources.secrets import redact  # every message is redacted, whoever raises it

        self.source_id = source_id
        self.url = redact(url)
        self.problem = redact(problem)
        self.field = field
        # the response the client refused (error status, HTML, malformed body), for inspection
        self.rejected = rejected
        where = f" (field {field!r})" if field else ""
        super().__init__(f"[{source_id}] {self.problem}{where} — {self.url}")
