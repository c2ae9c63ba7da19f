"""A fetched payload: the provider's own response bodies, verbatim, with the URLs they came from."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


class Part:
    """One response body exactly as the provider sent it (secrets masked): held in memory, or
    streamed to a file (`path`) and read only when a parser asks for `body`."""

    __slots__ = ("_body", "_sha256", "path", "suffix", "url")

    def __init__(
        self,
        url: str,
        body: bytes | None = None,
        suffix: str = "",
        *,
        path: Path | None = None,
        sha256: str | None = None,
    ):
        if (body is None) == (path is None):
            raise ValueError("a Part has either a body or a path")
        self.url, self.suffix, self.path = url, suffix, path
        self._body, self._sha256 = body, sha256

    @property
    def body(self) -> bytes:
        return self._body if self._body is not None else self.path.read_bytes()

    @property
    def size(self) -> int:
        return len(self._body) if self._body is not None else self.path.stat().st_size

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.body).hexdigest()
        return self._sha256

    def with_suffix(self, suffix: str) -> Part:
        """The same response under another file extension (e.g. OpenFlights' .dat)."""
        return Part(self.url, self._body, suffix, path=self.path, sha256=self._sha256)

    def head(self, size: int = 512) -> bytes:
        """The first `size` bytes, without reading a file-backed body whole."""
        if self._body is not None:
            return self._body[:size]
        with self.path.open("rb") as handle:
            return handle.read(size)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Part) and (self.url, self.suffix, self.sha256) == (
            other.url,
            other.suffix,
            other.sha256,
        )

    def __hash__(self) -> int:
        return hash((self.url, self.suffix, self.sha256))

    def __repr__(self) -> str:
        return f"Part(url={self.url!r}, suffix={self.suffix!r}, sha256={self.sha256[:12]})"


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
