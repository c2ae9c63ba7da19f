"""A failed refresh is quiet and honest on the console (a real `citydip` process against a local
server that fails): no traceback, one `FAILED <source> <url> <reason>` line per failed source
naming the log that keeps the tracebacks, no scorecard and no "nothing to rebuild" after it,
exit 1; `--quiet` prints the failure lines only."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from pipelines.cli.refresh import failure_line
from tests.published import copy_published


@pytest.mark.parametrize("quiet", [False, True], ids=["default", "quiet"])
def test_a_failed_live_refresh_prints_one_line_per_source(
    quiet, shared_warehouse, citydip_process, httpserver: HTTPServer, tmp_path
):
    # no handler: every World Bank URL gets pytest-httpserver's 500
    env = {
        **copy_published(shared_warehouse, tmp_path),
        "CITYDIP_WORLDBANK_BASE_URL": httpserver.url_for("/wb/v2"),
        "CITYDIP_HTTP_RETRIES": "0",
    }
    args = ["refresh", "--live", "--select", "worldbank", *(["--quiet"] if quiet else [])]
    done = citydip_process(*args, env=env)

    assert done.returncode == 1
    console = done.stdout + done.stderr
    assert "Traceback" not in console
    assert "nothing to rebuild" not in console and "citydip scorecard" not in console
    failed = [line for line in done.stderr.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1
    assert failed[0].startswith(f"FAILED worldbank {httpserver.url_for('/wb/v2')}/")
    log = tmp_path / "home" / "build" / "refresh.log"
    assert str(log) in done.stderr
    logged = log.read_text()  # Dagster's error with its stack: file, line and code of each frame
    assert "payloads__worldbank" in logged and 'File "' in logged and "payload_asset" in logged
    if quiet:
        assert done.stdout == ""
        assert done.stderr.splitlines() == [failed[0], f"details and tracebacks: {log}"]


@pytest.mark.parametrize(
    ("where", "message", "url", "what", "line"),
    [
        (
            "payloads__worldbank",
            "sources.errors.SourceError: [worldbank] HTTP 500 — http://h/v2/x?page=1\n  at ...",
            None,
            "",
            "worldbank http://h/v2/x?page=1 HTTP 500",
        ),
        (
            "payloads/gfci",
            "[gfci] no rows (field 'rating') — http://h/gfci.csv",
            "http://h/gfci.csv",
            "check schema_valid: ",
            "gfci http://h/gfci.csv check schema_valid: no rows (field 'rating')",
        ),
        ("raw__qs_rankings_observations", "ValueError: boom", None, "", "qs_rankings - boom"),
        (
            "citydip_dbt_models",
            "DbtError: dbt build failed",
            None,
            "",
            "citydip_dbt_models dbt build failed",
        ),
    ],
)
def test_a_failure_is_one_line_naming_source_and_url(where, message, url, what, line):
    assert failure_line(where, message, url, what) == line


def test_an_unforeseen_error_is_one_line_and_its_traceback_is_logged(
    citydip_home, monkeypatch, capsys
):
    from pipelines.cli import refresh
    from pipelines.cli.main import main

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(refresh, "execute", explode)
    assert main(["refresh", "--quiet"]) == 1
    captured = capsys.readouterr()
    log = citydip_home / "build" / "refresh.log"
    assert captured.out == ""
    assert captured.err.strip() == (
        f"citydip refresh failed: RuntimeError: disk on fire (traceback in {log})"
    )
    assert "Traceback" in log.read_text() and "disk on fire" in log.read_text()
