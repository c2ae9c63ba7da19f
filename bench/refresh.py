"""Benchmarks 1-3: `citydip refresh` cold, with no source changed, and with one source changed,
against a bare `dbt build` of the same project on the same loaded raw tables, interleaved in
one loop so that every kind of run sees the same machine load."""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.measure import REPO, VENV_BIN, Sample, Summary, measure

DBT_PROJECT = REPO / "dbt_project"
CURATED_CSV = REPO / "sources" / "snapshots" / "qs_rankings" / "qs_top100_universities.csv"
DROPPED_ROWS = 3
CURATED_STAGING = "stg_qs_rankings__observations"


@dataclass
class RefreshResults:
    cold: list[Sample] = field(default_factory=list)
    bare_dbt: list[Sample] = field(default_factory=list)
    unchanged: list[Sample] = field(default_factory=list)
    changed: list[Sample] = field(default_factory=list)
    # what each kind of refresh materialised (asset keys), from the Dagster instance
    built: dict[str, list[set[str]]] = field(default_factory=dict)
    dbt_models: set[str] = field(default_factory=set)
    # the dbt models downstream of the changed (QS) source's staging model (it included)
    curated_downstream: set[str] = field(default_factory=set)
    # seconds each audit model took in the dbt build of each cold / changed refresh
    audit_seconds: dict[str, list[dict[str, float]]] = field(default_factory=dict)

    def summary(self, kind: str) -> Summary:
        return Summary.of(getattr(self, kind))


class CuratedMirror:
    """A local HTTP server serving the QS publication's snapshot files, one of them without its last
    rows: a new payload of real figures (none invented), fetched with
    CITYDIP_LIVE_SOURCES=qs_rankings."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for csv in CURATED_CSV.parent.glob("*.csv"):
            shutil.copy(csv, folder / csv.name)
        lines = CURATED_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
        (folder / CURATED_CSV.name).write_text("".join(lines[:-DROPPED_ROWS]), encoding="utf-8")
        handler = partial(_QuietHandler, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> CuratedMirror:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass


def run_refresh_benchmarks(runs: int, workdir: Path) -> RefreshResults:
    results = RefreshResults(
        dbt_models=dbt_model_keys(), curated_downstream=dbt_downstream(CURATED_STAGING)
    )
    citydip = [str(VENV_BIN / "citydip"), "refresh", "--quiet"]
    if workdir.exists():
        shutil.rmtree(workdir)
    with CuratedMirror(workdir / "mirror") as mirror:
        for i in range(runs):
            home, dagster_home = workdir / f"home{i}", workdir / f"dagster{i}"
            env = {"CITYDIP_HOME": str(home), "DAGSTER_HOME": str(dagster_home)}
            changed_env = {
                **env,
                "CITYDIP_LIVE_SOURCES": "qs_rankings",
                "CITYDIP_QS_RANKINGS_BASE_URL": mirror.url,
            }
            for kind, run_env in (("cold", env), ("unchanged", env)):
                before = run_ids(dagster_home)
                getattr(results, kind).append(measure(citydip, run_env))
                results.built.setdefault(kind, []).append(
                    materialised(dagster_home, run_ids(dagster_home) - before)
                )
                if kind == "cold":
                    results.audit_seconds.setdefault(kind, []).append(audit_seconds(home))
                    results.bare_dbt.append(bare_dbt_build(home, workdir / f"bare{i}"))
            before = run_ids(dagster_home)
            results.changed.append(measure(citydip, changed_env))
            results.built.setdefault("changed", []).append(
                materialised(dagster_home, run_ids(dagster_home) - before)
            )
            results.audit_seconds.setdefault("changed", []).append(audit_seconds(home))
    return results


def bare_dbt_build(home: Path, scratch: Path) -> Sample:
    """`dbt build` of the same project (without the unit tests, as a refresh builds it) on a copy
    of the working database the refresh just loaded, starting from the same partial-parse state
    a refresh's dbt invocation starts from."""
    scratch.mkdir(parents=True)
    database = scratch / "citydip_build.duckdb"
    shutil.copy(home / "build" / "citydip_build.duckdb", database)
    target = scratch / "target"
    target.mkdir()
    partial_parse = DBT_PROJECT / "target" / "partial_parse.msgpack"
    if partial_parse.exists():
        shutil.copy(partial_parse, target / partial_parse.name)
    from pipelines.defs.dbt_models import NOT_IN_A_REFRESH  # the refresh's build leaves them out

    argv = [str(VENV_BIN / "dbt"), "build", "--quiet", "--profiles-dir", ".", *NOT_IN_A_REFRESH]
    argv += ["--target-path", str(target)]
    return measure(argv, {"CITYDIP_BUILD_DB": str(database)}, cwd=DBT_PROJECT)


def audit_seconds(home: Path) -> dict[str, float]:
    """The audit models' build times in the refresh's last dbt build (its run_results.json)."""
    results = json.loads((home / "build" / "dbt" / "run_results.json").read_text())
    return {
        r["unique_id"].split(".")[-1]: r["execution_time"]
        for r in results["results"]
        if r["unique_id"].startswith("model.citydip.audit_")
    }


def run_ids(dagster_home: Path) -> set[str]:
    history = dagster_home / "history" / "runs"
    return {p.stem for p in history.glob("*.db") if p.stem != "index"}


def materialised(dagster_home: Path, runs: set[str]) -> set[str]:
    """Asset keys materialised in these runs, read from the instance's event log."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(dagster_home))
    keys = set()
    for run_id in runs:
        for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
            keys.add(entry.dagster_event.asset_key.to_user_string())
    instance.dispose()
    return keys


def dbt_model_keys() -> set[str]:
    """The dbt models' asset keys (tests and seeds aside)."""
    from pipelines.defs.dbt_models import build_dbt_models

    return {
        key.to_user_string()
        for key in build_dbt_models({}).keys
        if not key.to_user_string().startswith("seeds/")
    }


def dbt_downstream(model_key: str) -> set[str]:
    """A dbt model's asset key and those of every dbt model downstream of it."""
    from pipelines.defs.dbt_models import build_dbt_models

    children: dict[str, set[str]] = {}
    for key, upstream in build_dbt_models({}).asset_deps.items():
        for parent in upstream:
            children.setdefault(parent.to_user_string(), set()).add(key.to_user_string())
    found, frontier = {model_key}, [model_key]
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found & dbt_model_keys()
