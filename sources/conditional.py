"""Conditional requests: remember each URL's ETag / Last-Modified and the body it validated.

A provider that sends validators gets them back as If-None-Match / If-Modified-Since on the next
fetch; its 304 Not Modified then stands for the body landed last time, read back from the raw
folder (`<sha256>.<suffix>`, the landing layout). The payload hash is therefore unchanged and the
pipeline skips the reload. Providers that send no validators are fetched in full, as before.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from sources.payload import Part

VALIDATORS_FILE = "http_validators.json"


class ConditionalCache:
    """Validators per URL, stored beside one source's landed payloads (never any secret)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / VALIDATORS_FILE

    def _load(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def request_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for a URL whose validated body is still on disk."""
        entry = self._load().get(url)
        if not entry or self.body(url) is None:
            return {}
        headers = {}
        if entry.get("etag"):
            headers["If-None-Match"] = entry["etag"]
        if entry.get("last_modified"):
            headers["If-Modified-Since"] = entry["last_modified"]
        return headers

    def body(self, url: str) -> Part | None:
        """The body a 304 for this URL stands for, if it is still landed."""
        entry = self._load().get(url)
        if not entry:
            return None
        sha, suffix = entry.get("sha256", ""), entry.get("suffix", "")
        if not (re.fullmatch(r"[0-9a-f]{64}", sha) and re.fullmatch(r"[a-z0-9]{1,8}", suffix)):
            return None
        file = self.folder / f"{sha}.{suffix}"
        if not file.exists():
            return None
        return Part(url=url, suffix=suffix, path=file, sha256=sha)

    def remember(self, part: Part, etag: str | None, last_modified: str | None) -> None:
        """Record the validators of a 200 response (only when the provider sent any)."""
        if not (etag or last_modified):
            return
        entries = self._load()
        entries[part.url] = {
            "etag": etag,
            "last_modified": last_modified,
            "sha256": part.sha256,
            "suffix": part.suffix,
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{VALIDATORS_FILE}.", suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump(entries, handle, indent=2, sort_keys=True)
        os.replace(tmp, self.path)
