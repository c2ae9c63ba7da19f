"""citydip's sources: one module per provider; SOURCES is the catalogue the pipeline wires.

Every module of this package that declares `SOURCE` (one provider) or `SOURCES` (several: the
curated publications) is in the catalogue, so adding a provider is adding its module. The
catalogue is ordered by source id.
"""

import importlib
import pkgutil

from sources.source import Source


def _declared_sources() -> list[Source]:
    found: list[Source] = []
    for info in pkgutil.iter_modules(__path__):
        if info.ispkg:
            continue  # snapshots/: data and the scripts that build it
        module = importlib.import_module(f"{__name__}.{info.name}")
        if isinstance(getattr(module, "SOURCE", None), Source):
            found.append(module.SOURCE)
        found.extend(s for s in getattr(module, "SOURCES", ()) if isinstance(s, Source))
    return found


SOURCES: dict[str, Source] = {s.id: s for s in sorted(_declared_sources(), key=lambda s: s.id)}

__all__ = ["SOURCES", "Source"]
