"""Every row of the fault corpus: source-level for all, end to end for the rows marked e2e.

See fault_corpus.py for the design; a row is added there, never here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

from pipelines.defs.landing import load_landed
from pipelines.defs.plausibility import ABSURD, CHECKS
from sources import SOURCES, curated
from sources.errors import SourceError
from sources.http import make_session
from tests.conftest import REPO
from tests.reliability.conftest import (
    FAST,
    SECRET_NAME,
    assert_complete_scorecard,
    published_digest,
)
from tests.reliability.fault_corpus import (
    CORPUS,
    CUT_IN_HALF,
    GENERIC_KINDS,
    HTML_PAGE,
    PROBES,
    Accepted,
    Blocked,
    Fault,
    Rejected,
    Warned,
    body,
    half,
    transformed,
)
from tests.reliability.providers import base_path, serve, served_parts
from tests.sources.faults import kept_file
from tests.sources.test_wikidata import results

KEY = ["indicator_id", "geo_id", "period"]


def test_the_corpus_is_broad():
    assert len(CORPUS) >= 25
    assert len({row.id for row in CORPUS}) == len(CORPUS)
    assert len({row.source for row in CORPUS}) >= 2
    # the other sources' bad inputs are tested against their own fake provider, one file each
    # (the curated publications share one parser and one file, test_curated.py)
    test_file = {source.id: "test_curated.py" for source in curated.SOURCES}
    for source_id in set(SOURCES) - {row.source for row in CORPUS}:
        name = test_file.get(source_id, f"test_{source_id}.py")
        assert (REPO / "tests" / "sources" / name).exists(), source_id
    assert {type(row.expect) for row in CORPUS} == {Rejected, Blocked, Warned, Accepted}
    for source_id, source in SOURCES.items():
        if source.has_snapshot:  # wikidata ships none to serve: tests/sources/test_wikidata.py
            kinds = {row.kind for row in CORPUS if row.source == source_id}
            assert set(GENERIC_KINDS) <= kinds, (source_id, set(GENERIC_KINDS) - kinds)


def test_every_probe_names_the_test_that_reproduces_it():
    assert len({probe.id for probe in PROBES}) == len(PROBES)
    for probe in PROBES:
        path, name = probe.test.split("::")
        assert f"\ndef {name}(" in (REPO / path).read_text(), probe


def warnings(source_id: str, frame: pd.DataFrame) -> dict[str, str]:
    """The plausibility warnings the non-blocking checks would raise after the snapshot's load."""
    previous = SOURCES[source_id].observations(SOURCES[source_id].snapshot())
    found = {check: check.find(frame, previous) for check in CHECKS}
    return {check.name: check.describe(rows) for check, rows in found.items() if len(rows)}


@pytest.mark.parametrize("row", CORPUS, ids=lambda row: row.id)
def test_source_level_outcome(row: Fault, httpserver: HTTPServer, monkeypatch):
    for name, value in {**FAST, **row.env}.items():
        monkeypatch.setenv(name, value)
    for name, value in serve(httpserver, row.source, row.serve, row.target).items():
        monkeypatch.setenv(name, value)
    source = SOURCES[row.source]
    try:
        frame = source.observations(source.fetch_live(make_session()))
    except SourceError as error:
        assert isinstance(row.expect, Rejected), f"{row.id} ({row.kind}) was rejected: {error}"
        message = str(error)
        assert "\n" not in message  # one line
        for key in secrets_of(row):  # neither in the message nor in the response kept
            assert key not in message
            assert error.rejected is None or key.encode() not in error.rejected.body
        assert error.source_id == row.source and f"[{row.source}]" in message
        assert httpserver.url_for(base_path(row.source)) in error.url
        assert error.url in message
        assert row.expect.field in (error.field or ""), f"field {error.field!r}: {message}"
        assert row.expect.match in message, message
        return
    assert not isinstance(row.expect, Rejected), f"{row.id} ({row.kind}) was accepted"
    # the published values stand in as the snapshot's (what a refresh of it published)
    snapshot = source.observations(source.snapshot())
    blocked = ABSURD.find(frame, snapshot)
    if isinstance(row.expect, Blocked):
        assert row.expect.check == ABSURD.name and not blocked.empty
        assert row.expect.match in ABSURD.describe(blocked), ABSURD.describe(blocked)
        return
    assert blocked.empty, ABSURD.describe(blocked)
    found = warnings(row.source, frame)
    if isinstance(row.expect, Warned):
        assert set(found) == {row.expect.check, *row.expect.also}, found
        assert row.expect.match in found[row.expect.check]
    else:
        assert found == {}
        snapshot = source.observations(source.snapshot())
        pd.testing.assert_frame_equal(
            frame.sort_values(KEY)[[*KEY, "value"]].reset_index(drop=True),
            snapshot.sort_values(KEY)[[*KEY, "value"]].reset_index(drop=True),
        )


def secrets_of(row: Fault) -> list[str]:
    return [value for name, value in row.env.items() if SECRET_NAME.fullmatch(name) and value]


def assert_nowhere(warehouse, values: list[str]) -> None:
    """No file under CITYDIP_HOME (raw/, rejected/, notes, databases) or DAGSTER_HOME (run
    logs, events) holds any of `values`, nor any file name."""
    for root in (warehouse.home, warehouse.dagster_home):
        for path in root.rglob("*"):
            assert not any(v in str(path) for v in values), path
            if path.is_file():
                data = path.read_bytes()
                assert not any(v.encode() in data for v in values), f"a secret leaked into {path}"


def published_materialised_in_last_run(warehouse) -> bool:
    instance = warehouse.instance()
    last = instance.get_runs(limit=1)[0]
    records = instance.get_records_for_run(last.run_id).records
    return any(
        r.event_log_entry.dagster_event is not None
        and r.event_log_entry.dagster_event.is_step_materialization
        and r.event_log_entry.dagster_event.asset_key.to_user_string() == "published_warehouse"
        for r in records
    )


@pytest.mark.parametrize("row", [r for r in CORPUS if r.e2e], ids=lambda row: row.id)
def test_end_to_end(row: Fault, warehouse, httpserver: HTTPServer, tmp_path: Path):
    """`citydip refresh --live --select <source>` against the faulty provider (the CLI's entry
    point, in this process: the refresh's process is not what this tests, and its start-up was
    most of a row's time; the crash, concurrency and memory tests run real processes). A refused
    response is kept where the error says, the published file is unchanged, and a later clean
    refresh (the shipped snapshot) succeeds: nothing of the fault was loaded to poison it.

    A warned fault is loaded and published, so it runs on a private copy of the warehouse: left
    in the shared one, the next row's clean refresh of that source would rebuild the scorecard
    to take it out again (~15 s each). test_security never reads the copy: its canaries are
    looked for here."""
    secrets = secrets_of(row)
    if isinstance(row.expect, Warned):
        warehouse = warehouse.copy(tmp_path / "warehouse")
        secrets += list(warehouse.canaries.values())
    env = {**row.env, **serve(httpserver, row.source, row.serve, row.target)}
    before = published_digest(warehouse.published)
    result = warehouse.run_in_process("refresh", "--live", "--select", row.source, env=env)
    output = result.stdout + result.stderr
    assert not any(key in output for key in secrets)
    assert_nowhere(warehouse, secrets)
    if isinstance(row.expect, Rejected):
        assert result.returncode == 1, output[-3000:]
        failures = [line for line in result.stderr.splitlines() if "FAILED" in line]
        named = [f for f in failures if f.startswith(f"FAILED {row.source} ")]
        assert named, result.stderr[-3000:]
        assert httpserver.url_for(base_path(row.source)) in named[0]
        assert row.expect.match in named[0]
        assert published_digest(warehouse.published) == before  # byte-for-byte unchanged
        assert not published_materialised_in_last_run(warehouse)
        raw = warehouse.home / "raw" / row.source
        assert not list(raw.glob(".incoming-*"))  # nothing streamed stays behind
        if "the response is kept as" in named[0]:
            kept = kept_file(named[0])
            assert kept.is_relative_to(raw) and kept.exists()
        else:  # it never arrived whole (a deadline, a cap): nothing to keep
            assert row.expect.field in ("deadline", "body"), named[0]
        clean = warehouse.run_in_process("refresh", "--select", row.source)
        assert clean.returncode == 0, (clean.stdout + clean.stderr)[-3000:]
    elif isinstance(row.expect, Blocked):
        assert result.returncode == 1, output[-3000:]
        named = [
            line
            for line in result.stderr.splitlines()
            if line.startswith(f"FAILED {row.source} ") and f"check {row.expect.check}" in line
        ]
        assert named and row.expect.match in named[0], result.stderr[-3000:]
        assert published_digest(warehouse.published) == before  # byte-for-byte unchanged
        assert not published_materialised_in_last_run(warehouse)
        clean = warehouse.run_in_process("refresh", "--select", row.source)
        assert clean.returncode == 0, (clean.stdout + clean.stderr)[-3000:]
    else:
        assert result.returncode == 0, output[-3000:]
        assert "WARNING" in result.stdout and row.expect.check in result.stdout
        assert published_materialised_in_last_run(warehouse)
    assert_complete_scorecard(warehouse.published)


def refresh_every_source_live(
    warehouse, httpserver: HTTPServer, fault, wikidata: bytes, ctype: str
):
    """One `citydip refresh --live` with every provider sending `fault` (wikidata, which ships no
    snapshot to corrupt, sends `wikidata`); return its FAILED lines per source. Each source must
    fail, and the published warehouse must stay byte-for-byte as it was."""
    env = {"CITYDIP_COMTRADE_KEY": ""}  # the public preview endpoint its snapshot was taken from
    for source_id, source in SOURCES.items():
        if source.has_snapshot:
            env |= serve(httpserver, source_id, fault)
    httpserver.expect_request("/wikidata").respond_with_data(wikidata, content_type=ctype)
    env["CITYDIP_WIKIDATA_BASE_URL"] = httpserver.url_for("/wikidata")
    before = published_digest(warehouse.published)
    result = warehouse.run_in_process("refresh", "--live", "--quiet", env=env)
    assert result.returncode == 1, result.stderr[-3000:]
    failures = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
    named = {}
    for source_id in SOURCES:
        lines = [line for line in failures if line.startswith(f"FAILED {source_id} ")]
        assert lines, (source_id, failures)
        assert httpserver.url_for(base_path(source_id)) in lines[0]
        named[source_id] = lines[0]
    assert published_digest(warehouse.published) == before  # byte-for-byte unchanged
    assert not published_materialised_in_last_run(warehouse)
    return named


def test_every_source_refused_at_once_changes_nothing(warehouse, httpserver: HTTPServer):
    """Every provider, wikidata included, answers with an HTML page and status 200: each source
    fails naming itself and its URL, the page it sent is kept under raw/<source>/rejected/ for
    inspection, and the published warehouse is unchanged."""
    page = body(HTML_PAGE, "text/html")
    named = refresh_every_source_live(warehouse, httpserver, page, HTML_PAGE, "text/html")
    for source_id, line in named.items():
        assert "HTML page" in line
        kept = kept_file(line)
        assert kept.parent == warehouse.home / "raw" / source_id / "rejected"
        assert kept.read_bytes() == HTML_PAGE


def test_every_source_cut_in_half_at_once_changes_nothing(warehouse, httpserver: HTTPServer):
    """Every provider sends its response cut in half: JSON is refused at fetch (and kept under
    rejected/), CSV and .dat files are landed and refused by their blocking `schema_valid` check;
    either way each source fails in its own words and the published warehouse is unchanged."""
    sparql = half(json.dumps(results(("Q8646", "Q300"))).encode())
    named = refresh_every_source_live(
        warehouse, httpserver, transformed(half), sparql, "application/sparql-results+json"
    )
    checks = 0
    for source_id, line in named.items():
        assert CUT_IN_HALF[source_id].match in line, line
        if " check schema_valid: " in line:
            checks += 1  # landed as its latest payload, so the check's message can be reproduced
            landed = load_landed(warehouse.home / "raw", source_id)
            assert half(served_parts(source_id)[0].part.body) in {p.body for p in landed.parts}
        else:
            assert "the response is kept as" in line
    assert checks >= 5  # the CSV and .dat sources
