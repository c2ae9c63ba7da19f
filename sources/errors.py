"""The one error a source raises when a provider sent something citydip cannot use."""

from __future__ import annotations


class SourceError(Exception):
    """Names the source, the URL and (where known) the field, so an operator can act on it."""

    def __init__(self, source_id: str, url: str, problem: str, field: str | None = None):
        self.source_id = source_id
        self.url = url
        self.problem = problem
        self.field = field
        where = f" (field {field!r})" if field else ""
        super().__init__(f"[{source_id}] {problem}{where} — {url}")
