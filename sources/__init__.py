"""citydip's sources: one module per provider; SOURCES is the catalogue the pipeline wires."""

from sources import curated, hk_immigration, openflights, singstat, worldbank
from sources.source import Source

SOURCES: dict[str, Source] = {
    source.id: source
    for source in (
        worldbank.SOURCE,
        curated.SOURCE,
        openflights.SOURCE,
        hk_immigration.SOURCE,
        singstat.SOURCE,
    )
}

__all__ = ["SOURCES", "Source"]
