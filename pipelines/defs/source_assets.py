"""Per source: a payload asset (fetch + land) and an observations asset (parse + load).

payloads/<source>  --(blocking checks: schema_valid, no_absurd_revision;
                      pipelines/defs/payload_checks.py)-->  raw/<source>_observations  --> dbt
"""

import shutil

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from pipelines.defs.freshness import freshness_policy
from pipelines.defs.landing import (
    incoming_dir,
    keep_rejected,
    land,
    latest_sha256,
    load_landed,
)
from pipelines.defs.lineage import column_schema
from pipelines.settings import Settings
from pipelines.spark_export import export_raw_table, raw_parquet_dir
from pipelines.sql import sql_identifier
from sources.conditional import ConditionalCache
from sources.errors import SourceError
from sources.http import make_session
from sources.observation import observation_frame
from sources.payload import Payload
from sources.source import Source

WAREHOUSE_POOL = "citydip_warehouse"


def fetch_retry_policy(settings: Settings) -> dg.RetryPolicy:
    """A failed fetch is retried by Dagster after the HTTP client's own retries gave up."""
    return dg.RetryPolicy(
        max_retries=settings.fetch_retries,
        delay=settings.fetch_retry_delay,
        backoff=dg.Backoff.EXPONENTIAL,
    )


def payload_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey(["payloads", source.id])


def observations_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey(["raw", f"{source.id}_observations"])


def build_source_assets(source: Source, retry_policy: dg.RetryPolicy | None = None) -> list:
    """The payload and observations assets of one source; `retry_policy` retries a failed
    fetch."""

    @dg.asset(
        key=payload_key(source),
        group_name="sources",
        kinds={"python", "file"},
        owners=["team:citydip"],
        description=f"{source.title}: the raw payload, landed content-addressed under "
        f"raw/{source.id}/ before anything parses it. {source.description}",
        retry_policy=retry_policy,
        freshness_policy=freshness_policy(source.cadence),
        metadata={
            "publisher": source.publisher,
            "licence": source.licence,
            "base_url": source.base_url,
            "cadence": source.cadence.label,
        },
    )
    def payload_asset(
        context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
    ) -> dg.MaterializeResult:
        live = settings.is_live(source.id)
        if skipped_offline(settings, source):
            context.log.info(f"{source.id} ships no snapshot; its last loaded rows stay")
            # the data version stays that of the last landed payload, so nothing downstream
            # counts as changed
            unchanged = latest_sha256(settings.raw_dir, source.id) or "nothing landed"
            return dg.MaterializeResult(
                metadata={"mode": "snapshot", "skipped": "no snapshot"},
                data_version=dg.DataVersion(unchanged),
            )
        incoming = incoming_dir(settings.raw_dir, source.id)
        try:
            payload = (
                source.fetch_live(
                    make_session(limits=settings.http),
                    ConditionalCache(settings.raw_dir / source.id),
                    limits=settings.http,
                    incoming=incoming,
                )
                if live
                else source.snapshot()
            )
            manifest = land(settings.raw_dir, payload)
            size = sum(p.size for p in payload.parts)
        except SourceError as exc:
            raise keep_rejected(settings.raw_dir, exc) from None
        finally:  # streamed bodies were linked into place; nothing else of the fetch stays
            shutil.rmtree(incoming, ignore_errors=True)
        context.log.info(
            f"landed {len(payload.parts)} response(s) of {source.id} as {manifest.name}"
        )
        return dg.MaterializeResult(
            metadata={
                "mode": "live" if live else "snapshot",
                "payload_sha256": payload.sha256,
                "manifest": dg.MetadataValue.path(str(manifest)),
                "url": dg.MetadataValue.url(payload.parts[0].url),
                "responses": len(payload.parts),
                "bytes": size,
                "fetched_at": payload.fetched_at.isoformat(),
            },
            data_version=dg.DataVersion(payload.sha256),
        )

    @dg.asset(
        key=observations_key(source),
        deps=[payload_key(source)],
        group_name="sources",
        kinds={"duckdb", "pandera"},
        owners=["team:citydip"],
        pool=WAREHOUSE_POOL,
        freshness_policy=freshness_policy(source.cadence),
        # the parser's code: a changed parser makes the rows stale though the payload is not
        code_version=source.parser_version,
        metadata={
            "dagster/column_schema": column_schema(source.schema),
            "dagster/table_name": f"raw.{source.id}_observations",
            "cadence": source.cadence.label,
        },
        description=f"Validated observations of {source.title} in the tidy observation "
        f"contract, replaced in one transaction in the working database; the rows replaced are "
        f"kept as previous.{source.id}_observations for the plausibility checks.",
    )
    def observations_asset(
        context: dg.AssetExecutionContext,
        duckdb: DuckDBResource,
        settings: dg.ResourceParam[Settings],
    ) -> dg.MaterializeResult:
        table = f"raw.{sql_identifier(f'{source.id}_observations')}"
        if skipped_offline(settings, source):
            # a live-only source in snapshot mode: keep its last live rows, or an empty table
            empty = observation_frame([], Payload(source.id, ()))
            with duckdb.get_connection() as con:
                con.execute("create schema if not exists raw")
                con.register("incoming", empty)
                con.execute(f"create table if not exists {table} as select * from incoming")
                con.unregister("incoming")
                export_for_spark(con, settings, source.id, only_if_missing=True)
            return dg.MaterializeResult(metadata={"skipped": "no snapshot"})
        payload = load_landed(settings.raw_dir, source.id)
        version = load_version(source, payload)
        with duckdb.get_connection() as con:
            if _loaded_version(con, source.id) == version:
                context.log.info(
                    f"{source.id}: payload and parser unchanged ({payload.sha256[:12]}); no reload"
                )
                export_for_spark(con, settings, source.id, only_if_missing=True)
                return dg.MaterializeResult(
                    metadata={"payload_sha256": payload.sha256, "reloaded": False},
                    data_version=dg.DataVersion(version),
                )
        frame = source.observations(payload)
        with duckdb.get_connection() as con:
            con.execute("begin transaction")
            con.execute("create schema if not exists raw")
            con.register("incoming", frame)
            keep_previous_rows(con, source.id)
            con.execute(f"create or replace table {table} as select * from incoming")
            con.unregister("incoming")
            _record_load(con, source.id, version)
            con.execute("commit")
            export_for_spark(con, settings, source.id)
        return dg.MaterializeResult(
            metadata={
                "rows": len(frame),
                "payload_sha256": payload.sha256,
                "indicators": len(frame["indicator_id"].unique()),
                "years": f"{frame['period'].min()}–{frame['period'].max()}",
                "preview": dg.MetadataValue.md(_preview(frame)),
                "dagster/row_count": len(frame),
                "parser_version": source.parser_version,
            },
            data_version=dg.DataVersion(version),
        )

    return [payload_asset, observations_asset]


def export_for_spark(
    con, settings: Settings, source_id: str, only_if_missing: bool = False
) -> None:
    """CITYDIP_ENGINE=spark: the loaded raw.<source>_observations also as Parquet, where the dbt
    project's Spark sources read it (pipelines/spark_export.py); nothing on DuckDB."""
    if settings.engine != "spark":
        return
    table = f"{source_id}_observations"
    if only_if_missing and raw_parquet_dir(settings.spark_dir, table).exists():
        return
    export_raw_table(con, table, settings.spark_dir)


def skipped_offline(settings: Settings, source: Source) -> bool:
    """A live-only source (no shipped snapshot) refreshed in snapshot mode: nothing is fetched,
    its last loaded rows stay, and its checks have nothing new to look at."""
    return not settings.is_live(source.id) and not source.has_snapshot


def load_version(source: Source, payload: Payload) -> str:
    """What the loaded rows are a function of: the payload and the code that parsed it."""
    return f"{payload.sha256}:{source.parser_version}"


def table_exists(con, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def keep_previous_rows(con, source_id: str) -> None:
    """Before a load replaces raw.<source>_observations, keep its rows as
    previous.<source>_observations: the plausibility checks compare the new rows with them."""
    name = sql_identifier(f"{source_id}_observations")
    con.execute("create schema if not exists previous")
    if table_exists(con, "raw", f"{source_id}_observations"):
        con.execute(f"create or replace table previous.{name} as select * from raw.{name}")
    else:  # a first load: nothing to compare with
        con.execute(f"drop table if exists previous.{name}")


def _loaded_version(con, source_id: str) -> str | None:
    """The load_version of the rows in raw.<source>_observations (table raw._loads)."""
    if not table_exists(con, "raw", "_loads"):
        return None
    row = con.execute(
        "select load_version from raw._loads where source_id = ?", [source_id]
    ).fetchone()
    return row[0] if row else None


def _record_load(con, source_id: str, version: str) -> None:
    con.execute(
        "create table if not exists raw._loads "
        "(source_id varchar primary key, load_version varchar not null, loaded_at timestamptz)"
    )
    con.execute("insert or replace into raw._loads values (?, ?, now())", [source_id, version])


def _preview(frame: pd.DataFrame) -> str:
    return frame.drop(columns=["payload_sha256", "fetched_at"]).head(10).to_markdown(index=False)
