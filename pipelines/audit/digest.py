"""The fingerprint of a sensitivity analysis's inputs: the year's panel, the settings, the code
that computes it and SALib's version. The same fingerprint gives the same indices, so a rebuild
whose inputs did not change reuses the indices instead of sampling again."""

from __future__ import annotations

import dataclasses
import hashlib
from importlib.metadata import version
from pathlib import Path

import numpy as np

from pipelines.audit.panel import Panel


def inputs_digest(panel: Panel, settings: object) -> str:
    digest = hashlib.sha256()
    for field in dataclasses.fields(panel):
        value = getattr(panel, field.name)
        digest.update(field.name.encode() + b"\0")
        if isinstance(value, np.ndarray):
            digest.update(str(value.dtype).encode() + np.ascontiguousarray(value).tobytes())
        else:
            digest.update(repr(value).encode())
    digest.update(repr(settings).encode())
    digest.update(f"SALib {version('salib')}".encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()
