"""The shared HTTP client: one requests.Session with timeouts, urllib3 Retry and a size cap."""

from __future__ import annotations

import os

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from sources.conditional import ConditionalCache
from sources.errors import SourceError
from sources.observation import json_document
from sources.payload import Part
from sources.secrets import MASK, redact, redact_bytes

__all__ = ["Client", "base_url", "make_session", "redact"]

USER_AGENT = (
    "citydip/0.1 (+https://github.com/citydip/citydip; open city-diplomacy scorecard) "
    f"python-requests/{requests.__version__}"
)
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0
MAX_BODY_BYTES = 64 * 1024 * 1024


def env_number(name: str, default: float, kind: type = float):
    """The number in environment variable `name` (`default` when unset); a value that is not one
    raises ValueError naming the variable."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {text!r}") from None


def timeouts() -> tuple[float, float]:
    """(connect, read) seconds; CITYDIP_HTTP_CONNECT_TIMEOUT / CITYDIP_HTTP_READ_TIMEOUT."""
    return (
        env_number("CITYDIP_HTTP_CONNECT_TIMEOUT", CONNECT_TIMEOUT_S),
        env_number("CITYDIP_HTTP_READ_TIMEOUT", READ_TIMEOUT_S),
    )


def max_body_bytes() -> int:
    """The size cap of one response body; CITYDIP_HTTP_MAX_BYTES (default 64 MiB)."""
    return env_number("CITYDIP_HTTP_MAX_BYTES", MAX_BODY_BYTES, int)


RETRY_STATUSES = (429, 500, 502, 503, 504)


def make_session(retries: int | None = None, backoff: float | None = None) -> requests.Session:
    """A session every source shares: retries with backoff on 429/5xx, honouring Retry-After."""
    retry = Retry(
        total=env_number("CITYDIP_HTTP_RETRIES", 4, int) if retries is None else retries,
        backoff_factor=env_number("CITYDIP_HTTP_BACKOFF", 1.0) if backoff is None else backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "POST", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


class Client:
    """Fetches one source's responses and turns every transport failure into a SourceError.

    `secrets` (e.g. an API key sent in a header) are scrubbed from every error message, in case
    a provider echoes them; `cache` makes requests conditional (see sources/conditional.py).
    """

    def __init__(
        self,
        source_id: str,
        session: requests.Session,
        max_pages: int = 50,
        *,
        secrets: tuple[str, ...] = (),
        cache: ConditionalCache | None = None,
    ):
        self.source_id = source_id
        self.session = session
        self.max_pages = max_pages
        self.secrets = tuple(s for s in secrets if s)
        self.cache = cache
        self.last: Part | None = None  # the newest response returned (a fetch may refuse it)

    def check_page(self, page_number: int, url: str) -> None:
        """Stop a paging loop before it requests more than `max_pages` pages (1-based)."""
        if page_number > self.max_pages:
            raise SourceError(
                self.source_id,
                redact(url),
                f"more than {self.max_pages} pages; refusing to page further",
                "pages",
            )

    def _scrub(self, text: str) -> str:
        text = redact(text)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def get(
        self,
        url: str,
        *,
        params: dict | None = None,
        headers: dict | None = None,
        expect: str = "json",
        method: str = "GET",
        data: dict | None = None,
    ) -> Part:
        """GET (or POST) one response; check status, content type and size; return it verbatim."""
        prepared = requests.Request(method, url, params=params, data=data).prepare()
        shown = self._scrub(prepared.url or url)
        conditional = self.cache.request_headers(shown) if self.cache and method == "GET" else {}
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers={**conditional, **(headers or {})},
                timeout=timeouts(),
                stream=True,
            )
        except requests.Timeout as exc:
            raise SourceError(
                self.source_id, shown, f"timed out: {type(exc).__name__}", "response"
            ) from None
        except requests.ConnectionError as exc:
            raise SourceError(self.source_id, shown, _connection_problem(exc), "response") from None
        except requests.RequestException as exc:
            raise SourceError(
                self.source_id, shown, f"request failed: {type(exc).__name__}", "response"
            ) from None
        with response:
            body = self._read_capped(response, shown)
        if response.status_code == 304 and conditional and self.cache:
            unchanged = self.cache.body(shown)
            if unchanged is not None:
                self.last = unchanged
                return unchanged
        content_type = response.headers.get("Content-Type", "").lower()
        if response.status_code >= 400 or response.status_code == 304:
            snippet = " ".join(body[:300].decode("utf-8", "replace").split())[:200]
            raise SourceError(
                self.source_id,
                shown,
                f"HTTP {response.status_code}: {self._scrub(snippet)}",
                "status",
                rejected=self._rejected(shown, body, content_type, expect),
            )
        try:
            self._check_format(body, content_type, expect, shown)
        except SourceError as exc:
            exc.rejected = self._rejected(shown, body, content_type, expect)
            raise
        part = Part(url=shown, body=body, suffix=expect)
        if self.cache and method == "GET":
            self.cache.remember(
                part, response.headers.get("ETag"), response.headers.get("Last-Modified")
            )
        self.last = part
        return part

    def _rejected(self, shown: str, body: bytes, content_type: str, expect: str) -> Part | None:
        """The refused response as a Part to keep for inspection (secrets scrubbed), if any."""
        if not body:
            return None
        body = redact_bytes(body)
        for secret in self.secrets:
            body = body.replace(secret.encode(), MASK.encode())
        return Part(url=shown, body=body, suffix="html" if is_html(body, content_type) else expect)

    def _read_capped(self, response: requests.Response, shown: str) -> bytes:
        cap = max_body_bytes()
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise SourceError(
                self.source_id, shown, f"body of {declared} bytes exceeds the cap", "Content-Length"
            )
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > cap:
                    raise SourceError(
                        self.source_id,
                        shown,
                        f"body exceeds the cap of {cap} bytes",
                        "body",
                    )
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise SourceError(
                self.source_id, shown, f"body could not be read: {type(exc).__name__}", "body"
            ) from None
        return b"".join(chunks)

    def _check_format(self, body: bytes, content_type: str, expect: str, shown: str) -> None:
        if is_html(body, content_type):
            raise SourceError(
                self.source_id, shown, "expected data but got an HTML page", "Content-Type"
            )
        if expect == "json":
            try:
                json_document(self.source_id, Part(shown, body, expect))
            except SourceError as exc:
                if exc.field == "body" and b"TimeoutException" in body[-4096:]:
                    raise SourceError(
                        self.source_id,
                        shown,
                        "the server timed out mid-response (TimeoutException in a 200 body)",
                        "body",
                    ) from None
                raise


def is_html(body: bytes, content_type: str) -> bool:
    """An HTML page (a portal's error or login page), whatever the status or declared type."""
    head = body[:512].lstrip().lower()
    return "text/html" in content_type or head.startswith((b"<!doctype html", b"<html"))


def _connection_problem(exc: requests.ConnectionError) -> str:
    """Name what went wrong; urllib3 wraps a read timeout that exhausted retries as a
    ConnectionError, which an operator should still read as a timeout."""
    cause = exc.args[0] if exc.args else None
    reason = getattr(cause, "reason", cause)
    retried = "retries exhausted: " if isinstance(cause, MaxRetryError) else ""
    if isinstance(reason, urllib3.exceptions.NewConnectionError):  # subclasses ConnectTimeout
        return f"{retried}connection failed: {type(reason).__name__}"
    if isinstance(reason, urllib3.exceptions.ConnectTimeoutError):
        return f"{retried}timed out connecting after {timeouts()[0]:g} s"
    if isinstance(reason, TimeoutError | urllib3.exceptions.TimeoutError):
        return f"{retried}timed out after {timeouts()[1]:g} s"
    return f"{retried}connection failed: {type(reason or exc).__name__}"


def base_url(source_id: str, default: str) -> str:
    """The provider's API root, overridable by CITYDIP_<SOURCE>_BASE_URL (tests, mirrors)."""
    return os.environ.get(f"CITYDIP_{source_id.upper()}_BASE_URL", default).rstrip("/")
