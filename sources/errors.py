"""The one error a source raises when a provider sent something citydip cannot use."""

from __future__ import annotations


class SourceError(Exception):
    """Names the source, the URL and (where known) the field, so an operator can act on it."""

    def __init__(self, source_id: str, url: str, problem: str, field: str | None = None):
        from sources.secrets import redact  # every message is redacted, whoever raises it

        self.source_id = source_id
        self.url = redact(url)
        self.problem = redact(problem)
        self.field = field
        where = f" (field {field!r})" if field else ""
        super().__init__(f"[{source_id}] {self.problem}{where} — {self.url}")
