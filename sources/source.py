"""What a source is: how to fetch it live, where its snapshot lives, how to parse and validate it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import pandera.errors
import pandera.pandas as pa
import requests

from sources.conditional import ConditionalCache
from sources.errors import SourceError
from sources.http import Client, base_url
from sources.observation import FRAME_CHECK_FIELDS
from sources.payload import Part, Payload

SNAPSHOT_ROOT = Path(__file__).parent / "snapshots"


@dataclass(frozen=True)
class Cadence:
    """How often a provider publishes, as a cron schedule and the age after which data is overdue."""

    label: str
    cron: str
    overdue_after_days: int


MONTHLY = Cadence("monthly", "0 3 2 * *", 35)
WEEKLY = Cadence("weekly", "0 4 * * 1", 8)
QUARTERLY = Cadence("quarterly", "0 5 3 1,4,7,10 *", 100)
YEARLY = Cadence("yearly", "0 6 5 1 *", 370)


@dataclass(frozen=True)
class Source:
    """One provider. `fetch` makes live requests through the shared client; `parse` turns the
    payload (live or snapshot, same format) into tidy observations; `schema` validates them."""

    id: str
    title: str
    publisher: str
    licence: str
    default_base_url: str
    cadence: Cadence
    indicators: dict[str, str]  # indicator_id -> unit
    fetch: Callable[[Client, str], list[Part]]
    parse: Callable[[Payload], pd.DataFrame]
    schema: pa.DataFrameSchema
    max_pages: int = 50
    description: str = ""
    snapshot_dir: Path = field(default=SNAPSHOT_ROOT)
    secrets: Callable[[], tuple[str, ...]] = lambda: ()  # values to scrub from every message

    @property
    def base_url(self) -> str:
        return base_url(self.id, self.default_base_url)

    @property
    def has_snapshot(self) -> bool:
        """False for a live-only source: no real offline payload could be shipped (see its README)."""
        manifest = self.snapshot_dir / self.id / "manifest.json"
        return manifest.exists() and bool(json.loads(manifest.read_text()).get("parts"))

    def fetch_live(
        self, session: requests.Session, cache: ConditionalCache | None = None
    ) -> Payload:
        """Fetch through the shared session; with `cache`, requests are conditional (ETag/304)."""
        client = Client(
            self.id, session, max_pages=self.max_pages, secrets=self.secrets(), cache=cache
        )
        parts = self.fetch(client, self.base_url)
        if not parts:
            raise SourceError(self.id, self.base_url, "the provider returned no responses")
        return Payload(self.id, tuple(parts))

    def snapshot(self) -> Payload:
        """The payload shipped in the repo, in the provider's own format."""
        folder = self.snapshot_dir / self.id
        manifest = json.loads((folder / "manifest.json").read_text())
        if not manifest.get("parts"):
            raise SourceError(self.id, str(folder), "ships no snapshot (live only)", "parts")
        parts = tuple(
            Part(
                url=p["url"],
                body=(folder / p["file"]).read_bytes(),
                suffix=p["file"].rsplit(".", 1)[-1],
            )
            for p in manifest["parts"]
        )
        return Payload(self.id, parts, fetched_at=datetime.fromisoformat(manifest["retrieved_at"]))

    def observations(self, payload: Payload) -> pd.DataFrame:
        """Parse and validate; any problem becomes a SourceError naming source, URL and field."""
        frame = self.parse(payload)
        return self.validate(frame, payload)

    def validate(self, frame: pd.DataFrame, payload: Payload) -> pd.DataFrame:
        url = (
            payload.parts[0].url
            if len(payload.parts) == 1
            else f"{payload.parts[0].url} (+{len(payload.parts) - 1} more)"
        )
        try:
            return self.schema.validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            raise SourceError(self.id, url, *_describe(exc.failure_cases, frame)) from None


def _describe(cases: pd.DataFrame, frame: pd.DataFrame) -> tuple[str, str]:
    """(problem, field) for pandera failure cases: a row-level check (negative value, duplicate
    key, unit) is reported once with the observation keys of the failing rows and its field."""
    problems, fields = [], []
    for check, group in cases.groupby("check", sort=False):
        check = str(check)
        field = FRAME_CHECK_FIELDS.get(check)
        if field is None:  # a column check: the column is the field
            columns = sorted({str(c) for c in group["column"].dropna()} - {"None"})
            field = ", ".join(columns) or check
            got = ", ".join(repr(v) for v in group["failure_case"].head(3))
            problems.append(f"{field}: {check} (got {got})")
        else:
            rows = sorted({int(i) for i in group["index"].dropna() if int(i) in frame.index})
            keys = [
                "/".join(str(frame.at[i, c]) for c in ("indicator_id", "geo_id", "period"))
                + f"={frame.at[i, 'value']}"
                for i in rows[:3]
            ]
            problems.append(f"{check} ({len(rows)} row(s), e.g. {', '.join(keys) or 'table'})")
        fields += field.split(", ")
    return f"{len(problems)} schema failure(s): {'; '.join(problems)}", ", ".join(
        dict.fromkeys(fields)
    )
