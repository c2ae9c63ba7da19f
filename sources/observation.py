"""The tidy observation contract every source's parse step yields (see DESIGN.md), and the rules
for reading a provider's numbers so that no value can poison a build: a year is a whole number of
ASCII digits, a value a finite JSON number, a JSON object has each key once, and every value keeps
within its indicator's bounds in the registry (sources/registry.py)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pandera.pandas as pa

from sources.errors import SourceError
from sources.payload import Part, Payload
from sources.registry import Bounds, indicator_bounds

GEO_LEVELS = ("city", "metro", "country")
# Years any source may report, unless it declares its own range (the years it asks for).
PERIODS = (1950, 2100)

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
OUT_OF_BOUNDS = "value outside its indicator's min_value..max_value (seeds/indicators.csv)"
NOT_WHOLE = "fractional value where the indicator counts whole things"
NO_OBSERVATIONS = "no observations"
FRAME_CHECK_FIELDS = {
    UNIT_DIFFERS: "unit",
    DUPLICATE_KEY: "indicator_id, geo_id, period",
    NEGATIVE_VALUE: "value",
    OUT_OF_BOUNDS: "value",
    NOT_WHOLE: "value",
    NO_OBSERVATIONS: "rows",
}


def registry_bounds(source_id: str, indicators: dict[str, str]) -> dict[str, Bounds]:
    """The registry's bounds of each indicator a source emits; every one must be registered."""
    registry = indicator_bounds()
    unregistered = sorted(set(indicators) - set(registry))
    if unregistered:
        raise ValueError(f"{source_id}: {unregistered} not in dbt_project/seeds/indicators.csv")
    return {indicator_id: registry[indicator_id] for indicator_id in indicators}


def observation_schema(
    source_id: str,
    indicators: dict[str, str],
    geo_ids: set[str] | None = None,
    periods: tuple[int, int] = PERIODS,
    allow_empty: bool = False,
) -> pa.DataFrameSchema:
    """The pandera schema for one source: the contract plus that source's own vocabulary.

    `indicators` maps each indicator id the source may emit to its unit; `geo_ids` (when
    given) is the closed set of geography codes it may use; `periods` the first and last year it
    publishes. Every value keeps within its indicator's bounds in the registry (a negative value
    only where `min_value` is negative, e.g. net FDI inflows; a count is whole). `allow_empty`
    is for sources whose parse step already rejects an empty response and may legitimately
    yield no annual figure yet (daily or monthly data without a complete calendar year).
    """
    bounds = registry_bounds(source_id, indicators)
    lowest = {i: b.min_value for i, b in bounds.items()}
    highest = {i: b.max_value for i, b in bounds.items()}
    whole = [i for i, b in bounds.items() if b.integer]
    geo_checks = [pa.Check.isin(sorted(geo_ids))] if geo_ids else [pa.Check.str_length(3, 64)]

    def negative(df: pd.DataFrame) -> pd.Series:
        return (df["value"] < 0) & (df["indicator_id"].map(lowest) >= 0)

    return pa.DataFrameSchema(
        {
            "source_id": pa.Column(str, pa.Check.eq(source_id)),
            "indicator_id": pa.Column(str, pa.Check.isin(sorted(indicators))),
            "geo_id": pa.Column(str, geo_checks),
            "geo_level": pa.Column(str, pa.Check.isin(GEO_LEVELS)),
            "period": pa.Column("int64", pa.Check.in_range(*periods)),
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
            pa.Check(lambda df: ~negative(df), error=NEGATIVE_VALUE),
            pa.Check(
                # a negative value is reported once, as negative
                lambda df: (
                    negative(df)
                    | df["value"].between(
                        df["indicator_id"].map(lowest), df["indicator_id"].map(highest)
                    )
                ),
                error=OUT_OF_BOUNDS,
            ),
            pa.Check(
                lambda df: ~df["indicator_id"].isin(whole) | (df["value"] == df["value"].round()),
                error=NOT_WHOLE,
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


def whole_number(raw: object, source_id: str, url: str, field: str) -> int:
    """A year or a count as a provider writes it: a JSON integer or a string of ASCII digits.

    int() would take or bend what is refused here: a fraction (2010.7), full-width digits
    ("２０１９"), a float spelling ("1e6"), a boolean; null and "20x1" would end in a bare error.
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        return int(raw)
    raise SourceError(source_id, url, f"{field} {raw!r} is not a whole number", field)


def finite_number(raw: object, source_id: str, url: str, field: str) -> float:
    """A JSON number as a finite float: a string, a boolean, NaN, an infinity or an integer
    beyond a float's range (10**400) is refused here instead of failing later without a name."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise SourceError(source_id, url, f"non-numeric value {raw!r}", field)
    try:
        value = float(raw)
    except OverflowError:
        shown = str(raw) if len(str(raw)) <= 20 else f"{str(raw)[:12]}... ({len(str(raw))} digits)"
        raise SourceError(
            source_id, url, f"value {shown} is beyond a float's range", field
        ) from None
    if not math.isfinite(value):
        raise SourceError(source_id, url, f"value {raw!r} is infinite or not a number", field)
    return value


def json_document(source_id: str, part: Part) -> object:
    """A response's JSON document. A key twice in one object is refused: json.loads would keep
    the last silently, and which of the two the provider meant is unknowable."""

    def once_each(pairs: list[tuple[str, object]]) -> dict:
        keys = [key for key, _ in pairs]
        for key in keys:
            if keys.count(key) > 1:
                raise SourceError(
                    source_id, part.url, f"key {key!r} appears twice in one JSON object", key
                )
        return dict(pairs)

    try:
        return json.loads(part.body, object_pairs_hook=once_each)
    except ValueError as exc:
        raise SourceError(
            source_id, part.url, f"malformed or truncated JSON: {exc}", "body"
        ) from None


def observation_frame(rows: list[dict], payload: Payload) -> pd.DataFrame:
    """Build a contract frame from parsed rows, stamping the payload's provenance."""
    frame = pd.DataFrame(
        rows, columns=[c for c in COLUMNS if c not in {"fetched_at", "payload_sha256"}]
    )
    frame["source_id"] = payload.source_id
    # the last net for a parser that let a year or a value through unread: it names the field
    period = pd.to_numeric(frame["period"], errors="coerce")
    value = pd.to_numeric(frame["value"], errors="coerce")
    not_whole = period.isna() | (period != period.round())
    not_number = value.isna() & frame["value"].notna()  # a missing value: the contract says so
    for column, wrong, kind in (
        ("period", not_whole, "a whole year"),
        ("value", not_number, "a number"),
    ):
        if wrong.any():
            raise SourceError(
                payload.source_id,
                payload.url,
                f"{column} {frame[column][wrong].iloc[0]!r} is not {kind}",
                column,
            )
    frame["period"] = period.astype("int64")
    frame["value"] = value.astype("float64")
    frame["approximate"] = frame["approximate"].fillna(False).astype(bool)
    frame["fetched_at"] = pd.Series(
        [payload.fetched_at] * len(frame), dtype="datetime64[us, UTC]", index=frame.index
    )
    frame["payload_sha256"] = payload.sha256
    for column in ("indicator_id", "geo_id", "geo_level", "unit", "source_id"):
        frame[column] = frame[column].astype(str)
    return frame[COLUMNS]
