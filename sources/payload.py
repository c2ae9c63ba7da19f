"""A fetched payload: the provider's own response bodies, verbatim, with the URLs they came from."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class Part:
    """One response body exactly as the provider sent it."""

    url: str
    body: bytes
    suffix: str  # file extension for landing: "json", "csv", "dat"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass(frozen=True)
class Payload:
    """Everything one fetch of a source returned; its hash identifies the fetch's content."""

    source_id: str
    parts: tuple[Part, ...]
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def manifest(self) -> dict:
        """A stable description of the parts (URL and content hash), independent of fetch time."""
        return {
            "source_id": self.source_id,
            "parts": [{"url": p.url, "sha256": p.sha256, "suffix": p.suffix} for p in self.parts],
        }

    @property
    def url(self) -> str:
        """The URL an error about the whole payload names: its first response's, with a count."""
        more = len(self.parts) - 1
        first = self.parts[0].url if self.parts else ""
        return f"{first} (+{more} more)" if more > 0 else first

    @property
    def sha256(self) -> str:
        encoded = json.dumps(self.manifest(), sort_keys=True).encode()
        return hashlib.sha256(encoded).hexdigest()
