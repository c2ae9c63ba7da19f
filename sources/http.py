"""The shared HTTP client: one requests.Session with timeouts, urllib3 Retry, deadlines and caps.

Bounds on what a provider can make a fetch cost, whatever it sends (limits in `HttpLimits`, read
from the environment by pipelines/settings.py):

- connect and read timeouts per socket operation, and a total deadline per request and per fetch
  of a source: a watchdog shuts the socket when the deadline passes, so a server trickling one
  byte at a time in its headers or body fails on time;
- a size cap per response and one per fetch (across all its pages), counted while streaming;
- bodies streamed to disk (`incoming`, a folder the landing step renames into place), never held
  whole in memory;
- secrets masked while streaming, so no byte written anywhere holds one; a credential is sent
  only to the source's own host over HTTPS (or loopback), and a redirect to another host drops
  every credential header, as browsers drop Authorization.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import ipaddress
import os
import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

# The limits live with the settings that read them (importing them from here would load every
# provider with the settings, which the CLI reads at start-up).
from pipelines.settings import HttpLimits  # noqa: E402
from sources.conditional import ConditionalCache
from sources.errors import SourceError
from sources.observation import json_document
from sources.payload import Part
from sources.secrets import MASK, redact, redact_bytes, secret_values

__all__ = ["Client", "HttpLimits", "base_url", "make_session", "redact"]

USER_AGENT = (
    "citydip/0.1 (+https://github.com/citydip/citydip; open city-diplomacy scorecard) "
    f"python-requests/{requests.__version__}"
)


def current_limits() -> HttpLimits:
    """The limits of the environment, read through the settings (a bad value names its
    variable); what the client uses when its caller passes none."""
    from pipelines.settings import load_http_limits

    return load_http_limits()


RETRY_STATUSES = (429, 500, 502, 503, 504)
# headers that carry a credential: dropped on a redirect to another host
CREDENTIAL_HEADER = re.compile(r"(?i)auth|key|token|secret|cookie|session|password")


# The deadline watchdog ---------------------------------------------------------------------

_WATCH = threading.local()


class _Deadline:
    """Shuts every socket of one request when its deadline passes (a timer thread), so a read
    blocked on a trickling server returns at once; a socket opened later (a retry) is shut as
    soon as it is used."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        _WATCH.current = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _WATCH.current = None

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # the plain socket's shutdown, also under TLS: the blocked read sees the end of the stream
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _deadline_passed() -> bool:
    watch = getattr(_WATCH, "current", None)
    return watch is not None and watch.fired


class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self, *args, **kwargs):  # reading the status line and headers
        watch = getattr(_WATCH, "current", None)
        if watch is not None:
            watch.watch(self.sock)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    getresponse = _WatchedHTTPConnection.getresponse


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class _Retry(Retry):
    """urllib3's Retry, but none once the request's deadline passed, and no Retry-After wait
    beyond it."""

    def increment(self, *args, **kwargs):
        if _deadline_passed():
            return Retry.increment(self.new(total=0), *args, **kwargs)
        return super().increment(*args, **kwargs)

    def get_retry_after(self, response):
        wait = super().get_retry_after(response)
        watch = getattr(_WATCH, "current", None)
        return wait if wait is None or watch is None else min(wait, watch.seconds)


class _Session(requests.Session):
    def rebuild_auth(self, prepared_request, response):
        """Like requests (which drops Authorization), drop every credential header on a
        redirect to another host or a downgrade to plain HTTP."""
        super().rebuild_auth(prepared_request, response)
        if self.should_strip_auth(response.request.url, prepared_request.url):
            for name in [n for n in prepared_request.headers if CREDENTIAL_HEADER.search(n)]:
                del prepared_request.headers[name]


def make_session(
    retries: int | None = None, backoff: float | None = None, limits: HttpLimits | None = None
) -> requests.Session:
    """A session every source shares: retries with backoff on 429/5xx, honouring Retry-After."""
    limits = limits or current_limits()
    retry = _Retry(
        total=limits.retries if retries is None else retries,
        backoff_factor=limits.backoff if backoff is None else backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "POST", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = _Session()
    adapter = _Adapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


# Masking while streaming -------------------------------------------------------------------


class _Masker:
    """Replaces every secret in a stream of chunks, also across chunk boundaries."""

    def __init__(self, secrets: tuple[str, ...]):
        self.secrets = sorted({s.encode() for s in secrets if s}, key=len, reverse=True)
        self.keep = max((len(s) for s in self.secrets), default=1) - 1
        self.pending = b""

    def _mask(self, data: bytes) -> bytes:
        for value in self.secrets:
            data = data.replace(value, MASK.encode())
        return data

    def feed(self, chunk: bytes) -> bytes:
        data = self._mask(self.pending + chunk)
        cut = max(len(data) - self.keep, 0)
        self.pending = data[cut:]
        return data[:cut]

    def flush(self) -> bytes:
        data, self.pending = self._mask(self.pending), b""
        return data


# The client --------------------------------------------------------------------------------


class Client:
    """Fetches one source's responses and turns every transport failure into a SourceError.

    `secrets` (e.g. an API key sent in a header) are masked in every body and message, in case
    a provider echoes them, and are sent only to `home`'s host; `cache` makes requests
    conditional (see sources/conditional.py); `incoming` is the folder bodies stream into (in
    memory without one). One Client is one fetch: its deadline and byte cap count from here.
    """

    def __init__(
        self,
        source_id: str,
        session: requests.Session,
        max_pages: int = 50,
        *,
        secrets: tuple[str, ...] = (),
        cache: ConditionalCache | None = None,
        limits: HttpLimits | None = None,
        incoming: Path | None = None,
        home: str | None = None,
    ):
        self.source_id = source_id
        self.session = session
        self.max_pages = max_pages
        self.secrets = tuple(s for s in secrets if s)
        self.cache = cache
        self.limits = limits or current_limits()
        self.incoming = incoming
        self.home = home
        self.started = time.monotonic()
        self.fetched_bytes = 0
        self.responses = 0
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
            text = text.replace(secret, MASK)
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
        """GET (or POST) one response; check status, content type and size; return it verbatim
        (secrets masked)."""
        prepared = requests.Request(method, url, params=params, data=data).prepare()
        shown = self._scrub(prepared.url or url)
        self._check_credential(prepared.url or url, repr((headers, params, data)), shown)
        conditional = self.cache.request_headers(shown) if self.cache and method == "GET" else {}
        seconds, variable = self._deadline(shown)
        with _Deadline(seconds) as watch:
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers={**conditional, **(headers or {})},
                    timeout=(self.limits.connect_timeout, self.limits.read_timeout),
                    stream=True,
                )
            except requests.RequestException as exc:
                if watch.fired:
                    raise self._late(shown, seconds, variable) from None
                raise self._transport_error(exc, shown) from None
            with response:
                part = self._download(response, shown, expect)
            if watch.fired:  # the watchdog cut the body short
                raise self._late(shown, seconds, variable)
        if response.status_code == 304 and conditional and self.cache:
            unchanged = self.cache.body(shown)
            if unchanged is not None:
                self.last = unchanged
                return unchanged
        content_type = response.headers.get("Content-Type", "").lower()
        if response.status_code >= 400 or response.status_code == 304:
            snippet = " ".join(part.head(300).decode("utf-8", "replace").split())[:200]
            raise SourceError(
                self.source_id,
                shown,
                f"HTTP {response.status_code}: {self._scrub(snippet)}",
                "status",
                rejected=self.rejected(part, content_type),
            )
        try:
            self._check_format(part, content_type, expect, shown)
        except SourceError as exc:
            exc.rejected = self.rejected(part, content_type)
            raise
        if self.cache and method == "GET":
            self.cache.remember(
                part, response.headers.get("ETag"), response.headers.get("Last-Modified")
            )
        self.last = part
        return part

    def rejected(self, part: Part | None, content_type: str = "") -> Part | None:
        """A refused response as a Part to keep for inspection, secret parameters masked too
        (its body is within the size cap), or None when it is empty."""
        if part is None or not part.size:
            return None
        body = redact_bytes(part.body)
        suffix = "html" if is_html(body[:512], content_type) else part.suffix
        return Part(url=part.url, body=body, suffix=suffix)

    def _check_credential(self, url: str, sent: str, shown: str) -> None:
        """A secret goes only to the source's own host, over HTTPS or to a loopback address."""
        if not any(value in sent or value in url for value in self._secrets()):
            return
        target = urlsplit(url)
        if self.home and target.hostname != urlsplit(self.home).hostname:
            raise SourceError(
                self.source_id, shown, "refusing to send a credential to another host", "url"
            )
        if target.scheme != "https" and not _loopback(target.hostname or ""):
            raise SourceError(
                self.source_id, shown, "refusing to send a credential over plain HTTP", "url"
            )

    def _secrets(self) -> tuple[str, ...]:
        return (*self.secrets, *secret_values())

    def _deadline(self, shown: str) -> tuple[float, str]:
        """The seconds this request may take and the variable that bounds them."""
        left = self.limits.fetch_deadline - (time.monotonic() - self.started)
        if left <= 0:
            raise self._late(shown, self.limits.fetch_deadline, "CITYDIP_HTTP_FETCH_DEADLINE")
        if left < self.limits.request_deadline:
            return left, "CITYDIP_HTTP_FETCH_DEADLINE"
        return self.limits.request_deadline, "CITYDIP_HTTP_DEADLINE"

    def _late(self, shown: str, seconds: float, variable: str) -> SourceError:
        if variable == "CITYDIP_HTTP_FETCH_DEADLINE":
            what, seconds = "the fetch", self.limits.fetch_deadline
        else:
            what = "the request"
        return SourceError(
            self.source_id,
            shown,
            f"{what} exceeded its deadline of {seconds:g} s ({variable})",
            "deadline",
        )

    def _download(self, response: requests.Response, shown: str, expect: str) -> Part:
        """Stream the body to `incoming` (or memory), masking secrets and counting its bytes
        against the response's cap and the fetch's."""
        cap = self.limits.max_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise SourceError(
                self.source_id, shown, f"body of {declared} bytes exceeds the cap", "Content-Length"
            )
        masker, digest = _Masker(self._secrets()), hashlib.sha256()
        path = None
        if self.incoming is not None:
            self.incoming.mkdir(parents=True, exist_ok=True)
            path = self.incoming / f"{self.responses:05d}.part"
        self.responses += 1
        sink = path.open("wb") if path else io.BytesIO()
        size = 0
        try:
            with sink:
                for chunk in response.iter_content(chunk_size=1 << 16):
                    size += len(chunk)
                    self._count(size, len(chunk), cap, shown)
                    masked = masker.feed(chunk)
                    digest.update(masked)
                    sink.write(masked)
                masked = masker.flush()
                digest.update(masked)
                sink.write(masked)
                body = sink.getvalue() if path is None else None
        except requests.RequestException as exc:
            if path:
                path.unlink(missing_ok=True)
            if _deadline_passed():
                return Part(shown, b"", expect)  # the caller reports the deadline
            raise SourceError(
                self.source_id, shown, f"body could not be read: {type(exc).__name__}", "body"
            ) from None
        except BaseException:
            if path:
                path.unlink(missing_ok=True)
            raise
        return Part(shown, body, expect, path=path, sha256=digest.hexdigest())

    def _count(self, size: int, chunk: int, cap: int, shown: str) -> None:
        self.fetched_bytes += chunk
        if size > cap:
            raise SourceError(self.source_id, shown, f"body exceeds the cap of {cap} bytes", "body")
        if self.fetched_bytes > self.limits.max_fetch_bytes:
            raise SourceError(
                self.source_id,
                shown,
                f"the fetch exceeds its cap of {self.limits.max_fetch_bytes} bytes across all "
                "its responses (CITYDIP_HTTP_MAX_FETCH_BYTES)",
                "body",
            )

    def _check_format(self, part: Part, content_type: str, expect: str, shown: str) -> None:
        if is_html(part.head(512), content_type):
            raise SourceError(
                self.source_id, shown, "expected data but got an HTML page", "Content-Type"
            )
        if expect == "json":
            try:
                json_document(self.source_id, part)
            except SourceError as exc:
                if exc.field == "body" and b"TimeoutException" in part.body[-4096:]:
                    raise SourceError(
                        self.source_id,
                        shown,
                        "the server timed out mid-response (TimeoutException in a 200 body)",
                        "body",
                    ) from None
                raise

    def _transport_error(self, exc: requests.RequestException, shown: str) -> SourceError:
        if isinstance(exc, requests.Timeout):
            problem = f"timed out: {type(exc).__name__}"
        elif isinstance(exc, requests.ConnectionError):
            problem = _connection_problem(exc, self.limits)
        else:
            problem = f"request failed: {type(exc).__name__}"
        return SourceError(self.source_id, shown, problem, "response")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_html(body: bytes, content_type: str) -> bool:
    """An HTML page (a portal's error or login page), whatever the status or declared type."""
    head = body[:512].lstrip().lower()
    return "text/html" in content_type or head.startswith((b"<!doctype html", b"<html"))


def _connection_problem(exc: requests.ConnectionError, limits: HttpLimits) -> str:
    """Name what went wrong; urllib3 wraps a read timeout that exhausted retries as a
    ConnectionError, which an operator should still read as a timeout."""
    cause = exc.args[0] if exc.args else None
    reason = getattr(cause, "reason", cause)
    retried = "retries exhausted: " if isinstance(cause, MaxRetryError) else ""
    if isinstance(reason, urllib3.exceptions.NewConnectionError):  # subclasses ConnectTimeout
        return f"{retried}connection failed: {type(reason).__name__}"
    if isinstance(reason, urllib3.exceptions.ConnectTimeoutError):
        return f"{retried}timed out connecting after {limits.connect_timeout:g} s"
    if isinstance(reason, TimeoutError | urllib3.exceptions.TimeoutError):
        return f"{retried}timed out after {limits.read_timeout:g} s"
    return f"{retried}connection failed: {type(reason or exc).__name__}"


def base_url(source_id: str, default: str) -> str:
    """The provider's API root, overridable by CITYDIP_<SOURCE>_BASE_URL (tests, mirrors)."""
    return os.environ.get(f"CITYDIP_{source_id.upper()}_BASE_URL", default).rstrip("/")
