"""citydip's sources: one module per provider; SOURCES is the catalogue the pipeline wires."""

from sources import (
    comtrade,
    curated,
    hk_immigration,
    openalex,
    openflights,
    singstat,
    sistercity,
    wikidata,
    worldbank,
)
from sources.source import Source

SOURCES: dict[str, Source] = {
    source.id: source
    for source in (
        worldbank.SOURCE,
        *curated.SOURCES,
        openflights.SOURCE,
        hk_immigration.SOURCE,
        singstat.SOURCE,
        comtrade.SOURCE,
        openalex.SOURCE,
        wikidata.SOURCE,
        sistercity.SOURCE,
    )
}

__all__ = ["SOURCES", "Source"]
