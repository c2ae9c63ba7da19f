"""The tidy observation contract every source's parse step yields (see DESIGN.md)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from sources.payload import Payload

GEO_LEVELS = ("city", "metro", "country")

COLUMNS = [
    "source_id",
    "indicator_id",
    "geo_id",
    "geo_level",
    "period",
    "value",
    "unit",
    "fetched_at",
    "payload_sha256",
    "approximate",
]

OBSERVATION_KEY = ["source_id", "indicator_id", "geo_id", "period"]

# The table-wide checks, by the message they fail with, and the field an operator should look at.
UNIT_DIFFERS = "unit differs from the indicator's declared unit"
DUPLICATE_KEY = "duplicate observation key (source_id, indicator_id, geo_id, period)"
NEGATIVE_VALUE = "negative value where the indicator cannot be negative"
NO_OBSERVATIONS = "no observations"
FRAME_CHECK_FIELDS = {
    UNIT_DIFFERS: "unit",
    DUPLICATE_KEY: "indicator_id, geo_id, period",
    NEGATIVE_VALUE: "value",
    NO_OBSERVATIONS: "rows",
}


def observation_schema(
    source_id: str,
    indicators: dict[str, str],
    geo_ids: set[str] | None = None,
    may_be_negative: frozenset[str] = frozenset(),
    allow_empty: bool = False,
) -> pa.DataFrameSchema:
    """The pandera schema for one source: the contract plus that source's own vocabulary.

    `indicators` maps each indicator id the source may emit to its unit; `geo_ids` (when
    given) is the closed set of geography codes it may use. Values must be non-negative except
    for the indicators in `may_be_negative` (e.g. net FDI inflows). `allow_empty` is for sources
    whose parse step already rejects an empty response and may legitimately yield no annual
    figure yet (daily or monthly data without a complete calendar year).
    """
    geo_checks = [pa.Check.isin(sorted(geo_ids))] if geo_ids else [pa.Check.str_length(3, 64)]
    return pa.DataFrameSchema(
        {
            "source_id": pa.Column(str, pa.Check.eq(source_id)),
            "indicator_id": pa.Column(str, pa.Check.isin(sorted(indicators))),
            "geo_id": pa.Column(str, geo_checks),
            "geo_level": pa.Column(str, pa.Check.isin(GEO_LEVELS)),
            "period": pa.Column("int64", pa.Check.in_range(1950, 2100)),
            "value": pa.Column(
                "float64",
                [
                    pa.Check(
                        lambda s: s.notna() & ~s.isin([float("inf"), float("-inf")]),
                        element_wise=False,
                        error="value is missing or infinite",
                    )
                ],
            ),
            "unit": pa.Column(str),
            "fetched_at": pa.Column("datetime64[us, UTC]"),
            "payload_sha256": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{64}$")),
            "approximate": pa.Column(bool),
        },
        checks=[
            pa.Check(
                lambda df: df["unit"] == df["indicator_id"].map(indicators),
                error=UNIT_DIFFERS,
            ),
            pa.Check(
                lambda df: ~df.duplicated(OBSERVATION_KEY, keep=False),
                error=DUPLICATE_KEY,
            ),
            pa.Check(
                lambda df: (df["value"] >= 0) | df["indicator_id"].isin(may_be_negative),
                error=NEGATIVE_VALUE,
            ),
            pa.Check(
                lambda df: allow_empty or len(df) > 0, element_wise=False, error=NO_OBSERVATIONS
            ),
        ],
        strict=True,
        ordered=False,
        coerce=False,
        name=f"{source_id}_observations",
    )


def observation_frame(rows: list[dict], payload: Payload) -> pd.DataFrame:
    """Build a contract frame from parsed rows, stamping the payload's provenance."""
    frame = pd.DataFrame(
        rows, columns=[c for c in COLUMNS if c not in {"fetched_at", "payload_sha256"}]
    )
    frame["source_id"] = payload.source_id
    frame["period"] = pd.to_numeric(frame["period"]).astype("int64")
    frame["value"] = pd.to_numeric(frame["value"]).astype("float64")
    frame["approximate"] = frame["approximate"].fillna(False).astype(bool)
    frame["fetched_at"] = pd.Series(
        [payload.fetched_at] * len(frame), dtype="datetime64[us, UTC]", index=frame.index
    )
    frame["payload_sha256"] = payload.sha256
    for column in ("indicator_id", "geo_id", "geo_level", "unit", "source_id"):
        frame[column] = frame[column].astype(str)
    return frame[COLUMNS]
