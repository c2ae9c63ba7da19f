"""What a source is: how to fetch it live, where its snapshot lives, how to parse and validate it."""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import pandera.errors
import pandera.pandas as pa
import requests

from sources import observation
from sources.conditional import ConditionalCache
from sources.errors import SourceError
from sources.http import Client, HttpLimits, base_url
from sources.observation import FRAME_CHECK_FIELDS, OBSERVATION_KEY
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

    @property
    def parser_version(self) -> str:
        """A hash of what turns this source's payloads into observations (the module of its parse
        function, the observation contract and its indicators' bounds in the registry): rows
        loaded by other code or under other bounds are reloaded even when the payload is
        unchanged."""
        parse = self.parse
        while isinstance(parse, functools.partial):
            parse = parse.func
        files = {inspect.getsourcefile(parse), inspect.getsourcefile(observation)}
        digest = hashlib.sha256()
        for name in sorted(f for f in files if f):
            digest.update(Path(name).read_bytes())
        bounds = observation.registry_bounds(self.id, self.indicators)
        digest.update(repr(sorted(bounds.items())).encode())
        return digest.hexdigest()[:16]

    def fetch_live(
        self,
        session: requests.Session,
        cache: ConditionalCache | None = None,
        *,
        limits: HttpLimits | None = None,
        incoming: Path | None = None,
    ) -> Payload:
        """Fetch through the shared session within `limits`; with `cache`, requests are
        conditional (ETag/304); with `incoming`, bodies stream into that folder."""
        client = Client(
            self.id,
            session,
            max_pages=self.max_pages,
            secrets=self.secrets(),
            cache=cache,
            limits=limits,
            incoming=incoming,
            home=self.base_url,
        )
        try:
            parts = self.fetch(client, self.base_url)
        except SourceError as exc:
            # a response the fetch refused while paging (a provider error body, say) is kept too
            if exc.rejected is None and client.last is not None and client.last.url == exc.url:
                exc.rejected = client.rejected(client.last)
            raise
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
        try:
            frame = self.parse(payload)
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
            # what the parser did not foresee still names the source and the URL
            raise SourceError(
                self.id, payload.url, f"unreadable: {type(exc).__name__}: {exc}", "body"
            ) from exc
        return self.validate(frame, payload)

    def validate(self, frame: pd.DataFrame, payload: Payload) -> pd.DataFrame:
        try:
            return self.schema.validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            problems, fields = describe_failures(exc.failure_cases, frame)
            raise SourceError(
                self.id,
                payload.url,
                f"{len(problems)} schema problem(s): {'; '.join(problems[:5])}",
                field=", ".join(dict.fromkeys(f for named in fields for f in named.split(", "))),
            ) from None


def describe_failures(cases: pd.DataFrame, frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """One line per failed check, naming the field and a few offending values or rows.

    pandera reports a table-wide check once per column; it is folded back into one problem
    about the field the check is about (FRAME_CHECK_FIELDS), with the offending rows' keys.
    """
    problems, fields = [], []
    for (context, column, check), group in cases.groupby(
        ["schema_context", "column", "check"], sort=False, dropna=False
    ):
        if context == "DataFrameSchema" and check in FRAME_CHECK_FIELDS:
            continue
        field_name = str(column)
        examples = ", ".join(repr(v) for v in group["failure_case"].drop_duplicates().head(3))
        problems.append(f"{field_name}: {check} (got {examples})")
        fields.append(field_name)
    wide = cases[
        (cases["schema_context"] == "DataFrameSchema")
        & cases["check"].isin(list(FRAME_CHECK_FIELDS))
    ]
    for check, group in wide.groupby("check", sort=False):
        index = [i for i in group["index"].dropna().unique() if i in frame.index][:3]
        rows = frame.loc[index].drop_duplicates(subset=OBSERVATION_KEY) if index else frame.head(0)
        examples = ", ".join(
            f"{r.indicator_id} {r.geo_id} {r.period}={r.value!r}" for r in rows.head(3).itertuples()
        )
        problems.append(
            f"{FRAME_CHECK_FIELDS[check]}: {check}" + (f" ({examples})" if examples else "")
        )
        fields.append(FRAME_CHECK_FIELDS[check])
    return problems, fields
