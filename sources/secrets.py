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


def redact(text: str) -> str:
    """Hide secret query parameters and the value of every secret environment variable."""
    text = _SECRET_PARAM.sub(rf"\1{MASK}", text)
    for name in secret_env_names():
        value = os.environ[name].strip()
        if len(value) >= 4:
            text = text.replace(value, MASK)
    return text
