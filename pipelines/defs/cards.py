"""The cards as a Dagster asset, refreshed after every publish, reading only the published file."""

import dagster as dg

from pipelines.read.cards.site import build_site
from pipelines.settings import Settings


@dg.asset(
    key="scorecard_cards",
    deps=["published_warehouse"],
    group_name="publish",
    kinds={"html"},
    owners=["team:citydip"],
    description="The static scorecard site under CITYDIP_HOME/cards/: per ranked year an index "
    "(ranked table with pillar bars and rank intervals), a comparison page and a page and a CSV "
    "per city; the audit, the methodology and the sources; rendered from the published "
    "warehouse with inline SVG charts.",
)
def scorecard_cards(
    context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    written = build_site(
        settings.published_db,
        settings.cards_dir,
        on_card=lambda city: context.log.info(f"card {city}"),
    )
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(str(settings.cards_dir / "index.html")),
            "pages": len(written),
        }
    )
