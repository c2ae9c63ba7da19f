"""Secrets come only from the environment; `redact` keeps them out of every message and URL.

Two nets: secret-looking query parameters (`key=`, `token=`, `subscription-key=` ...) are masked
wherever they appear, and so is the literal value of every secret environment variable
(`CITYDIP_*_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD`), e.g. when a provider echoes a header back.
"""

from __future__ import annotations

import os
import re

_SECRET_PARAM = re.compile(r"(?i)((?:subscription-key|api[_-]?key|key|token)=)[^&#\s'\"]+")
_SECRET_ENV = re.compile(r"^CITYDIP_[A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD)$")
MASK = "***"


def secret_env_names() -> list[str]:
    """The environment variables citydip treats as secrets (set ones only)."""
    return sorted(name for name in os.environ if _SECRET_ENV.match(name))


def secret(name: str) -> str | None:
    """Read one secret from the environment (the only place secrets come from)."""
    value = os.environ.get(name, "").strip()
    return value or None


def secret_values() -> list[str]:
    values = (os.environ[name].strip() for name in secret_env_names())
    return [value for value in values if len(value) >= 4]


def redact(text: str) -> str:
    """Hide secret query parameters and the value of every secret environment variable."""
    text = _SECRET_PARAM.sub(rf"\1{MASK}", text)
    for value in secret_values():
        text = text.replace(value, MASK)
    return text


_SECRET_PARAM_BYTES = re.compile(_SECRET_PARAM.pattern.encode())


def redact_bytes(body: bytes) -> bytes:
    """`redact` for a response body kept on disk (e.g. a provider's error page echoing a key)."""
    body = _SECRET_PARAM_BYTES.sub(rb"\1" + MASK.encode(), body)
    for value in secret_values():
        body = body.replace(value.encode(), MASK.encode())
    return body
