"""The comments of the editions' tables in the published warehouse (they are written by publish,
not by dbt, so their descriptions live here; docs/querying.md "Editions" explains their use).

`<mart>_history` tables take their columns' comments from the mart they keep (dbt's docs).
"""

from __future__ import annotations

from pipelines.editions.anomalies import ANOMALY_TABLE
from pipelines.editions.attribution import ATTRIBUTION_TABLE, CAUSES, ITEM_TABLE
from pipelines.editions.history import HISTORY_MARTS, history_table

EDITION_ID = "The edition (1 for the first publish, then one more per publish)."
PREVIOUS_ID = "The edition this one replaced (null for the first)."
CITY_YEAR = {
    "year": "The scorecard year.",
    "city_id": "The city (dim_city.city_id).",
}
MEASURE = "overall_score or overall_rank."

STATIC_DOCS: dict[str, dict[str, str]] = {
    "edition_history": {
        "": "One row per published edition: when, from which method (git commit, dbt vars) and "
        "which edition it replaced. Old rows never change.",
        "edition_id": EDITION_ID,
        "published_at": "When the edition was published (UTC).",
        "git_commit": "The git commit of the code and dbt project that built it.",
        "dbt_vars": "The dbt vars it was built with (JSON, every var with its effective value).",
        "previous_edition_id": PREVIOUS_ID,
    },
    "edition_source_history": {
        "": "One row per edition and source: the payload (sha256 under raw/<source>/) its "
        "observations came from; `citydip rebuild` reads these payloads.",
        "edition_id": EDITION_ID,
        "source_id": "The source (sources/<source_id>.py).",
        "payload_sha256": "The sha256 of the payload the source's observations were parsed from.",
        "fetched_at": "When that payload was fetched (UTC).",
        "observations": "How many of the edition's observations came from it.",
    },
    ANOMALY_TABLE: {
        "": "What looked wrong in an edition against the one it replaced (warnings: the edition "
        "was published); kinds in docs/operations.md, Anomalies.",
        "edition_id": EDITION_ID,
        "previous_edition_id": "The edition it was compared with.",
        "kind": "disappeared_observation, revision_beyond_tolerance, jump_vs_history or "
        "rank_outside_interval.",
        "source_id": "The source of the observation (observation kinds).",
        "indicator_id": "The indicator of the observation (observation kinds).",
        "geo_id": "The geography of the observation (observation kinds).",
        "period": "The period of the observation (observation kinds).",
        "city_id": "The city (rank_outside_interval).",
        "year": "The scorecard year (rank_outside_interval).",
        "old_value": "The value (or rank) in the previous edition.",
        "new_value": "The value (or rank) in this edition (null when it disappeared).",
        "tolerance": "The bound it went beyond, where the kind has one.",
        "detail": "The anomaly in words.",
    },
    ATTRIBUTION_TABLE: {
        "": "Each city's change of overall score and rank since the previous edition, split "
        "exactly (Shapley values) among the causes new_data, revisions, method and coverage.",
        "edition_id": EDITION_ID,
        "previous_edition_id": "The edition the change is measured from.",
        **CITY_YEAR,
        "measure": MEASURE,
        "old_value": "The measure in the previous edition.",
        "new_value": "The measure in this edition.",
        "change": "new_value - old_value; the four causes' parts sum to it.",
        **{cause: f"The part of the change due to {cause.replace('_', ' ')}." for cause in CAUSES},
        "model_change": "The change of the audit's model of the scorecard (equals change where "
        "the model reproduces scorecard_city).",
    },
    ITEM_TABLE: {
        "": "Each cause's part of a city's change, split among the indicators, pillar weights "
        "and method vars that carried it.",
        "edition_id": EDITION_ID,
        "previous_edition_id": "The edition the change is measured from.",
        **CITY_YEAR,
        "measure": MEASURE,
        "cause": "new_data, revisions, method or coverage.",
        "item": "The indicator, pillar weight or method var that carried the part.",
        "part": "Its part of the change (the items of a cause sum to the cause's part).",
    },
}


def edition_table_docs(mart_docs: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """{table: {column or "" for the table: comment}} for every editions' table, the history of
    each mart documented by the mart's own column docs (`mart_docs`, from the dbt manifest)."""
    kept = {
        history_table(mart): {
            **mart_docs.get(mart, {}),
            "": f"Every edition's {mart} rows as that edition published them, by edition_id "
            "(old editions never change).",
            "edition_id": EDITION_ID,
        }
        for mart in HISTORY_MARTS
    }
    return {**STATIC_DOCS, **kept}
