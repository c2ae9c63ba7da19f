"""Nobody let in: secrets stay secret, SQL is quoted, landing stays inside raw/, the published
warehouse is read-only, the UI binds to localhost and dependencies are locked."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipelines.defs.landing import land, load_landed, write_atomic
from pipelines.defs.payload_checks import build_payload_checks
from pipelines.defs.publish import publish
from pipelines.defs.source_assets import build_source_assets
from pipelines.read.reader import open_published
from pipelines.settings import load_settings
from pipelines.sql import sql_identifier, sql_literal
from sources import SOURCES
from sources.errors import SourceError
from sources.http import Client, make_session
from sources.observation import observation_schema
from sources.payload import Part, Payload
from sources.secrets import redact, secret
from sources.source import YEARLY, Source
from tests.conftest import REPO
from tests.reliability.conftest import secret_names
from tests.reliability.fault_corpus import key_echoed, redirect_to_other_host
from tests.reliability.providers import Served, serve

CANARY = "canary-3f9a1c0d7e2b"

# Secrets ------------------------------------------------------------------------------------


def canary_source(base: str) -> Source:
    """A source that, like Comtrade, reads a subscription key from the environment and sends
    it as a query parameter; the canary tests drive every error path through it."""

    def fetch(client: Client, base_url: str) -> list[Part]:
        key = secret("CITYDIP_CANARYSRC_KEY")
        return [client.get(f"{base_url}/data", params={"subscription-key": key, "year": 2024})]

    def parse(payload: Payload):
        raise SourceError("canarysrc", payload.parts[0].url, "unparseable", "body")

    return Source(
        id="canarysrc",
        title="Canary",
        publisher="test",
        licence="test",
        default_base_url=base,
        cadence=YEARLY,
        indicators={"foreign_missions": "count"},
        fetch=fetch,
        parse=parse,
        schema=observation_schema("canarysrc", {"foreign_missions": "count"}),
    )


def echo(status: int, content_type: str = "text/plain"):
    """A provider that echoes the request URL and headers back in its body."""

    def handler(request: Request) -> Response:
        text = f"{request.url}\n{dict(request.headers)}"
        return Response(text, status=status, content_type=content_type)

    return handler


@pytest.mark.parametrize(
    "handler",
    [echo(401), echo(500), echo(200, "text/html"), echo(200, "application/json")],
    ids=["401-echo", "500-echo", "html-echo", "bad-json-echo"],
)
def test_secret_never_in_a_source_error(handler, httpserver: HTTPServer, monkeypatch):
    monkeypatch.setenv("CITYDIP_CANARYSRC_KEY", CANARY)
    monkeypatch.setenv("CITYDIP_HTTP_RETRIES", "0")
    httpserver.expect_request("/api/data").respond_with_handler(handler)
    source = canary_source(httpserver.url_for("/api"))
    with pytest.raises(SourceError) as raised:
        source.fetch_live(make_session())
    assert raised.value.url.startswith(httpserver.url_for("/api/data"))
    assert CANARY not in str(raised.value) and CANARY not in raised.value.url
    assert "subscription-key=***" in raised.value.url
    kept = raised.value.rejected  # the refused response, kept on disk for inspection
    assert kept is not None and b"/api/data" in kept.body and CANARY.encode() not in kept.body


def test_secret_never_in_a_transport_error(monkeypatch):
    monkeypatch.setenv("CITYDIP_CANARYSRC_KEY", CANARY)
    monkeypatch.setenv("CITYDIP_HTTP_RETRIES", "0")
    source = canary_source("http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(SourceError) as raised:
        source.fetch_live(make_session())
    assert CANARY not in str(raised.value) and "connection" in str(raised.value)


def test_redact_masks_parameters_and_secret_values(monkeypatch):
    monkeypatch.setenv("CITYDIP_ANYSRC_TOKEN", CANARY)
    assert redact("https://x/y?subscription-key=abc&year=1") == (
        "https://x/y?subscription-key=***&year=1"
    )
    assert redact("token=abc") == "token=***"
    assert CANARY not in redact(f"header Ocp-Apim-Subscription-Key: {CANARY}")


@pytest.mark.integration  # Dagster runs in-process (the rest of this module is unit)
def test_secret_never_in_landed_files_or_dagster_events(
    httpserver: HTTPServer, monkeypatch, tmp_path: Path
):
    """The payload asset and its check, materialised by Dagster: a good fetch lands, the check
    fails; the canary is in no raw file name or content, no event, no log line."""
    monkeypatch.setenv("CITYDIP_CANARYSRC_KEY", CANARY)
    monkeypatch.setenv("CITYDIP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CITYDIP_SOURCE_MODE", "live")
    httpserver.expect_request("/api/data").respond_with_json([{"echo": "ok"}])
    source = canary_source(httpserver.url_for("/api"))
    payload_asset, _ = build_source_assets(source)
    check = build_payload_checks(source)
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        resources = {"settings": load_settings()}
        result = dg.materialize(
            [payload_asset],
            instance=instance,
            resources=resources,
            raise_on_error=False,
            selection=[payload_asset.key],
        )
        assert result.success
        check_result = dg.materialize(
            [payload_asset, check], instance=instance, resources=resources, raise_on_error=False
        )
        evaluations = {e.check_name: e for e in check_result.get_asset_check_evaluations()}
        assert not evaluations["schema_valid"].passed
        events = [
            str(r.event_log_entry)
            for r in instance.get_event_records(
                dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
            )
        ]
        every = "".join(
            str(entry) for run in instance.get_runs() for entry in instance.all_logs(run.run_id)
        )
    assert events and CANARY not in "".join(events) and CANARY not in every
    assert "subscription-key=***" in every  # the URL is recorded, redacted
    for path in (tmp_path / "home").rglob("*"):
        assert CANARY not in path.name
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes()


def echoed_in_json(request: Request, served: Served) -> Response:
    """The real response with the request (URL and every header, the key's included) echoed in
    an extra field: a body that is accepted, landed and parsed."""
    document = json.loads(served.part.body)
    document["request"] = {"url": request.url, "headers": dict(request.headers)}
    return Response(json.dumps(document), status=200, content_type="application/json")


echoed_in_json.wants_part = True
# every source that takes a secret (its `secrets` are set once the canaries are)
SECRET_SOURCES = ["comtrade"]


def test_every_source_that_takes_a_secret_is_listed(monkeypatch):
    for name in secret_names():
        monkeypatch.setenv(name, CANARY)
    taking = sorted(source_id for source_id, source in SOURCES.items() if source.secrets())
    assert taking == SECRET_SOURCES


@pytest.mark.integration  # Dagster runs in-process
@pytest.mark.parametrize("source_id", SECRET_SOURCES)
@pytest.mark.parametrize(
    "answer",
    [echoed_in_json, key_echoed, redirect_to_other_host()],
    ids=["echoed-in-a-landed-body", "echoed-in-a-rejected-200", "302-to-another-host"],
)
def test_secret_written_by_no_write_path(
    source_id, answer, httpserver: HTTPServer, monkeypatch, tmp_path: Path
):
    """The source's payload asset and its check, run by Dagster against a provider that echoes
    the key: in a body that is landed, in an error body that is kept under rejected/ with its
    note, or after a redirect to another host. The canary is in no file name or content under
    CITYDIP_HOME (raw/, rejected/, notes, validators, databases) or the Dagster instance
    (events, metadata, logs)."""
    for name in secret_names():
        monkeypatch.setenv(name, CANARY)
    for name, value in serve(httpserver, source_id, answer).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CITYDIP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CITYDIP_LIVE_SOURCES", source_id)
    monkeypatch.setenv("CITYDIP_HTTP_RETRIES", "0")
    payload_asset, _ = build_source_assets(SOURCES[source_id])
    check = build_payload_checks(SOURCES[source_id])
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        result = dg.materialize(
            [payload_asset, check],
            instance=instance,
            resources={"settings": load_settings()},
            raise_on_error=False,
        )
        logs = "".join(
            str(entry) for run in instance.get_runs() for entry in instance.all_logs(run.run_id)
        )
    assert result.success == (answer is not key_echoed), logs[-2000:]
    assert CANARY not in logs
    assert any(request.headers.get("Ocp-Apim-Subscription-Key") for request, _ in httpserver.log)
    kept = [p for p in (tmp_path / "home" / "raw" / source_id).rglob("*") if p.is_file()]
    assert kept, "nothing was landed or kept"
    if answer is key_echoed:
        assert any(p.parent.name == "rejected" for p in kept)
    if answer is echoed_in_json:  # landed, with the key masked where the provider echoed it
        assert any(b'"Ocp-Apim-Subscription-Key": "***"' in p.read_bytes() for p in kept)
    for root in (tmp_path / "home", tmp_path / "dagster"):
        for path in root.rglob("*"):
            assert CANARY not in str(path)
            if path.is_file():
                assert CANARY.encode() not in path.read_bytes(), f"the key leaked into {path}"


def test_a_credential_is_never_sent_over_plain_http_or_to_another_host(monkeypatch):
    """Refused before any connection: nothing listens at these addresses."""
    monkeypatch.setenv("CITYDIP_COMTRADE_KEY", CANARY)
    monkeypatch.setenv("CITYDIP_HTTP_RETRIES", "0")
    for base in ("http://comtrade.invalid/api", "http://10.0.0.1:9/api"):
        monkeypatch.setenv("CITYDIP_COMTRADE_BASE_URL", base)
        with pytest.raises(SourceError, match="refusing to send a credential over plain HTTP"):
            SOURCES["comtrade"].fetch_live(make_session())
    client = Client("comtrade", make_session(), secrets=(CANARY,), home="https://a.invalid")
    with pytest.raises(SourceError, match="refusing to send a credential to another host"):
        client.get("https://b.invalid/x", headers={"Ocp-Apim-Subscription-Key": CANARY})


def test_canary_keys_appear_nowhere_in_the_warehouse(warehouse):
    """Every secret variable the code reads was set to a canary for every refresh of the suite:
    grep raw/, DAGSTER_HOME, the published and build databases and every captured output."""
    assert "CITYDIP_COMTRADE_KEY" in warehouse.canaries
    canaries = [value.encode() for value in warehouse.canaries.values()]
    checked = 0
    for root in (warehouse.home, warehouse.dagster_home):
        for path in root.rglob("*"):
            assert not any(c.decode() in str(path) for c in canaries)
            if path.is_file() and path.suffix not in {".out", ".err"}:
                data = path.read_bytes()
                assert not any(c in data for c in canaries), f"a secret leaked into {path}"
                checked += 1
    assert checked > 10
    for output in warehouse.outputs:
        assert not any(c.decode() in output for c in canaries)


# SQL ----------------------------------------------------------------------------------------


def test_quoting_survives_hostile_names(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    hostile = 'x"; drop table keep; --'
    con.execute("create table keep as select 1 as a")
    con.execute(f"create table {sql_identifier(hostile)} as select 2 as a")
    assert con.execute(f"select a from {sql_identifier(hostile)}").fetchone() == (2,)
    assert con.execute(f"select {sql_literal(hostile)}").fetchone() == (hostile,)
    assert con.execute("select count(*) from keep").fetchone() == (1,)
    with pytest.raises(ValueError):
        sql_literal("a\x00b")


def test_publish_to_a_path_with_quotes(tmp_path: Path):
    build = duckdb.connect(str(tmp_path / "build.duckdb"))
    build.execute("create table scorecard_city as select 1 as year")
    target = tmp_path / "it's; drop --" / "citydip.duckdb"
    assert publish(build, target, dbt_vars={}) == {"scorecard_city": 1}
    assert publish(build, target, dbt_vars={}) == {"scorecard_city": 1}
    assert (target.parent / "citydip.previous.duckdb").exists()
    with open_published(target) as con:
        assert con.execute("select year from scorecard_city").fetchone() == (1,)


def test_sql_takes_values_as_bound_parameters():
    """No module builds SQL text from a value with an f-string except through the quoting
    functions (reviewed: publish, source_assets, plausibility, refresh)."""
    offenders = []
    for path in (REPO / "pipelines").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(r"execute\(\s*f\"", line) and not re.search(
                r"sql_identifier|sql_literal|\{name\}|\{table\}", line
            ):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []


def test_published_warehouse_is_read_only(published_home, tmp_path: Path):
    with open_published(published_home / "citydip.duckdb") as con:
        for statement in (
            "create table x as select 1",
            "delete from scorecard_city",
            f"copy scorecard_city to {sql_literal(str(tmp_path / 'out.csv'))}",
            f"attach {sql_literal(str(tmp_path / 'other.duckdb'))} as other",
            "install httpfs",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(statement)
    assert not (tmp_path / "out.csv").exists()


# Landing ------------------------------------------------------------------------------------

HOSTILE_IDS = ["../evil", "worldbank\n", "..", "a/b", "/etc", "", "World Bank", "x\x00y", "~root"]
HOSTILE_SUFFIXES = ["../../x", "json/..", "", "j son", "x" * 20, "json\n", "."]


@pytest.mark.parametrize("source_id", HOSTILE_IDS)
def test_landing_refuses_hostile_source_ids(tmp_path: Path, source_id: str):
    raw = tmp_path / "raw"
    with pytest.raises(ValueError):
        land(raw, Payload(source_id, (Part("https://x/y", b"{}", "json"),)))
    assert not any(p for p in tmp_path.rglob("*") if raw not in p.parents and p != raw)


@pytest.mark.parametrize("suffix", HOSTILE_SUFFIXES)
def test_landing_refuses_hostile_suffixes(tmp_path: Path, suffix: str):
    with pytest.raises(ValueError):
        land(tmp_path / "raw", Payload("worldbank", (Part("https://x/../../y", b"{}", suffix),)))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_provider_urls_never_become_paths(tmp_path: Path):
    raw = tmp_path / "raw"
    url = "https://evil/../../../etc/passwd?x=/../../y"
    manifest = land(raw, Payload("worldbank", (Part(url, b"[1]", "json"),)))
    files = {p.relative_to(raw).as_posix() for p in raw.rglob("*") if p.is_file()}
    assert all(
        re.fullmatch(r"worldbank/([0-9a-f]{64}\.(json|manifest\.json)|latest\.json)", f)
        for f in files
    ), files
    assert json.loads(manifest.read_text())["parts"][0]["url"] == url


@pytest.mark.parametrize(
    "entry",
    [
        {"sha256": "../../../etc/passwd", "suffix": "json"},
        {"sha256": "a" * 64, "suffix": "json/../../x"},
        {"sha256": "a" * 64 + "/..", "suffix": "json"},
    ],
)
def test_loading_refuses_hostile_manifest_entries(tmp_path: Path, entry: dict):
    folder = tmp_path / "raw" / "worldbank"
    sha = "b" * 64
    manifest = {
        "source_id": "worldbank",
        "parts": [{"url": "u", **entry}],
        "sha256": sha,
        "fetched_at": "2026-01-01T00:00:00+00:00",
    }
    write_atomic(folder / f"{sha}.manifest.json", json.dumps(manifest).encode())
    write_atomic(folder / "latest.json", json.dumps(manifest).encode())
    with pytest.raises(ValueError):
        load_landed(tmp_path / "raw", "worldbank")


def test_loading_refuses_a_hostile_latest_pointer(tmp_path: Path):
    folder = tmp_path / "raw" / "worldbank"
    write_atomic(folder / "latest.json", json.dumps({"sha256": "../../../etc/passwd"}).encode())
    with pytest.raises(ValueError):
        load_landed(tmp_path / "raw", "worldbank")


# UI and dependencies ------------------------------------------------------------------------


def test_ui_binds_to_localhost_by_default():
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^UI_HOST \?= 127\.0\.0\.1$", makefile, re.M)
    ui = re.search(r"^ui:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "--host $(UI_HOST)" in ui


def test_dependencies_are_locked():
    makefile = (REPO / "Makefile").read_text()
    assert "sync --frozen" in makefile  # the venv is built from uv.lock, never re-resolved
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    versions = {p["name"]: p.get("version") for p in lock["package"]}
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    wanted = project["project"]["dependencies"] + project["dependency-groups"]["dev"]
    for requirement in wanted:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower().replace("_", "-")
        assert versions.get(name), f"{name} is not pinned in uv.lock"
    assert all(
        p.get("version")
        or p.get("source", {}).get("editable")
        or p.get("source", {}).get("virtual")
        for p in lock["package"]
    )
