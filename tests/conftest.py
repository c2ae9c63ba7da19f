"""Shared fixtures (an isolated CITYDIP_HOME and DAGSTER_HOME per test; no network) and the tiers.

Every test gets exactly one tier marker, set in `pytest_collection_modifyitems` below: a tier
marked on the test itself wins (`@pytest.mark.e2e` on a test slow by nature in an integration
module: a whole dbt build of the scorecard on a copy, two runs waiting for the pool slot), else
the first rule that matches:

| tier          | rule                                                                      |
|---------------|---------------------------------------------------------------------------|
| `e2e`         | its module is in E2E_MODULES, or it uses a fixture in E2E_FIXTURES         |
| `integration` | its folder is in INTEGRATION_FOLDERS (and its module not in UNIT_MODULES), or |
|               | it uses a fixture in INTEGRATION_FIXTURES                                  |
| `unit`        | everything else                                                            |

- `e2e` needs real processes, or is slow by nature: SIGKILL crash tests, refreshes racing each
  other or a reader process, the real webserver, the browser, the console script's start-up, a
  cold build on a fresh home, the refreshes of sources served live by local servers (every
  source; the four API sources; OpenFlights; a changed QS file), and everything done on the
  reliability suite's own warehouse (refreshed by real `citydip` processes with canary secrets).
  `make test-e2e` runs it (`pytest -m e2e`).
- `integration` builds or refreshes a warehouse, reads the session's shared warehouse, or runs
  dbt or Dagster in-process. `unit` is in-process code against files and local HTTP servers.
  `make test` runs both (`pytest -m "not e2e"`).

The warehouse: `shared_warehouse` (tests/published.py) refreshes ONE citydip home per session, in this
process, from the embedded snapshots; tests that only read it use `published_home` /
`reader_env`, tests that write use a copy (`copy_published`). `citydip_in_process` runs a
`citydip` command in this process; `citydip_process` (the real console script in a subprocess)
is only for tests whose subject is the process itself.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

# Before any pipelines module is imported: the code location (pipelines.definitions) takes the
# fetch retry policy from the settings when it is built, at import (2 retries, 30 s apart in
# production); tests that run a refresh in this process fail fast, as run_citydip's subprocesses
# always did.
os.environ.setdefault("CITYDIP_FETCH_RETRIES", "0")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TIERS = ("unit", "integration", "e2e")

# Modules whose every test is e2e (paths relative to tests/).
E2E_MODULES = {
    "reliability/test_crash_safety.py",  # SIGKILL of real refresh and writer processes
    "reliability/test_concurrency.py",  # two refresh processes started together, and a reader
    "pipelines/test_webserver_lineage.py",  # the real dagster-webserver over GraphQL
    "pipelines/test_live_every_source.py",  # a cold live refresh of every source
    # refreshes with sources served live by local servers, each rebuilding the scorecard (2 x
    # the four API sources ~40 s; OpenFlights bad then good ~25 s; a changed QS file after a
    # no-change refresh ~30 s): in-process all the same, on copies of the shared warehouse
    "pipelines/test_live_refresh.py",
    "pipelines/test_openflights_refresh.py",
    "pipelines/test_incremental_refresh.py",
    "cards/test_browser.py",  # headless chromium
}
# Fixtures that make a test e2e wherever it is.
E2E_FIXTURES = {
    # tests/reliability/conftest.py: built by a real `citydip` process (its memory sampled), then
    # killed, raced and fed faults (the faults' refreshes in-process)
    "warehouse",
    "citydip_process",  # the real console script: start-up, exit code, or a cold build
}
# Folders (under tests/) whose tests are integration unless the rules above say e2e.
INTEGRATION_FOLDERS = {
    "pipelines",  # Dagster in-process (materialize, automation, schedules) and refreshes
    "commands",  # the reading commands on the shared warehouse
    "cards",  # the cards of the shared warehouse
    "dbt",  # dbt on the shared warehouse's working database
}
# Modules in an integration folder that touch neither a warehouse nor dbt nor a Dagster run.
UNIT_MODULES = {
    "commands/test_snapshot.py",
    "pipelines/test_lineage_metadata.py",
    "pipelines/test_sources_command.py",
}
# Fixtures that make a test integration wherever it is (the shared warehouse, a copy of it).
INTEGRATION_FIXTURES = {"shared_warehouse", "published_home", "reader_env"}


def tier_of(item: pytest.Item) -> str:
    module = Path(str(item.fspath)).resolve().relative_to(REPO / "tests").as_posix()
    fixtures = set(getattr(item, "fixturenames", ()))
    if module in E2E_MODULES or fixtures & E2E_FIXTURES:
        return "e2e"
    in_folder = module.split("/")[0] in INTEGRATION_FOLDERS
    if (in_folder and module not in UNIT_MODULES) or fixtures & INTEGRATION_FIXTURES:
        return "integration"
    return "unit"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marked = [t for t in TIERS if item.get_closest_marker(t)]
        if len(marked) > 1:
            raise pytest.UsageError(f"{item.nodeid}: more than one tier marker {marked}")
        if not marked:
            item.add_marker(getattr(pytest.mark, tier_of(item)))
    items[:] = warehouse_modules_first(items)


def warehouse_modules_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """The modules that read the shared warehouse first, then the others (each module's tests
    kept together and in order).

    pytest-xdist hands each worker a contiguous half of the list to begin with (about 120 of
    the 1,100 tests read the warehouse): the first worker starts on the shared warehouse (its
    first test builds it, tests/published.py) while the second runs tests that need no warehouse
    instead of waiting for it; work stolen later comes from the end of a worker's queue, where
    the warehouse-free modules are."""
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(str(item.fspath), []).append(item)
    reading = [m for m in modules.values() if any(needs_warehouse(i) for i in m)]
    others = [m for m in modules.values() if not any(needs_warehouse(i) for i in m)]
    return [item for module in [*reading, *others] for item in module]


def needs_warehouse(item: pytest.Item) -> bool:
    return "shared_warehouse" in getattr(item, "fixturenames", ())


@pytest.fixture
def citydip_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("CITYDIP_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("CITYDIP_HTTP_BACKOFF", "0")
    return home


@pytest.fixture
def fast_http(monkeypatch: pytest.MonkeyPatch) -> None:
    """No backoff sleeps and short timeouts for clients under test."""
    monkeypatch.setenv("CITYDIP_HTTP_BACKOFF", "0")


# What every `citydip` run of the tests gets: failed fetches are not retried by Dagster
# (2 x 30 s in production) and the HTTP client does not sleep between its own retries.
TEST_ENV = {"CITYDIP_FETCH_RETRIES": "0", "CITYDIP_HTTP_BACKOFF": "0"}


def run_citydip(
    *args: str, env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run the real `citydip` console script in a subprocess with the given environment.

    Only for tests whose subject is the process (use the `citydip_process` fixture, which makes
    them e2e); everything else calls `citydip_in_process`."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "citydip"), *args],
        cwd=REPO,
        env={**os.environ, **TEST_ENV, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def citydip_process():
    """`run_citydip`: the real console script in a subprocess (makes the test e2e)."""
    return run_citydip


def citydip_in_process(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`citydip <args>` in this process, as `run_citydip` runs it in a subprocess: the same
    environment on top of os.environ, its exit code, stdout and stderr; os.environ is restored.

    The code location binds the settings of the environment when it is built (at import), so
    it is rebuilt for this run's environment and put back afterwards."""
    import pipelines.definitions as definitions
    from pipelines.cli.main import main
    from pipelines.settings import load_settings

    saved_environ, saved_defs, saved_cwd = dict(os.environ), definitions.defs, os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.update({**TEST_ENV, **env})
        os.chdir(REPO)
        definitions.defs = definitions.build_definitions(load_settings())
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        definitions.defs = saved_defs
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_environ)
    return subprocess.CompletedProcess(["citydip", *args], code, out.getvalue(), err.getvalue())


from tests.published import (  # noqa: E402,F401  (shared fixtures)
    published_home,
    reader_env,
    shared_warehouse,
)
