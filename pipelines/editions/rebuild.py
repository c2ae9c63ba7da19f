"""Rebuild an edition from the raw payloads it was built from, and compare with what it published.

The payloads are content-addressed under raw/<source>/ (`<sha256>.manifest.json` and its parts);
`edition_source_history` names the one each edition used. The rebuild runs in a private home under
build/ (the published warehouse is only read): the manifests and parts are linked in, each
source's `latest.json` points at its edition's payload, and the observations, dbt models and
publish are materialised with the edition's dbt vars (no fetch). Its scorecard_city is then
compared row for row with the edition's rows of scorecard_city_history.

The method is the one of the commit the edition was published at: when the checkout is at another
commit, `method_checkout` extracts that commit's tree (`git archive`) under build/ and the rebuild
runs there, with this environment's packages.

Retention: a payload file is needed while any edition in edition_source_history names it (or it
is a source's latest); `unneeded_files` lists the others, which may be deleted.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.editions.history import tables_in
from pipelines.settings import REPO_ROOT, Settings

TOLERANCE = 1e-9  # relative, for floating-point columns


class PayloadGone(FileNotFoundError):
    """A payload an edition needs is no longer under raw/."""


class UnknownEdition(LookupError):
    pass


@dataclass(frozen=True)
class EditionInputs:
    edition_id: int
    git_commit: str
    dbt_vars: dict
    payloads: dict[str, str]  # source_id -> payload sha256


def edition_inputs(con: duckdb.DuckDBPyConnection, edition_id: int) -> EditionInputs:
    has_history = "edition_history" in tables_in(con)
    row = None
    if has_history:
        row = con.execute(
            "select git_commit, dbt_vars from edition_history where edition_id = ?", [edition_id]
        ).fetchone()
    if row is None:
        known = (
            [
                e
                for (e,) in con.execute(
                    "select edition_id from edition_history order by 1"
                ).fetchall()
            ]
            if has_history
            else []
        )
        raise UnknownEdition(
            f"no edition {edition_id} in the published warehouse (editions: "
            f"{', '.join(map(str, known)) or 'none'})"
        )
    payloads = dict(
        con.execute(
            "select source_id, payload_sha256 from edition_source_history where edition_id = ?",
            [edition_id],
        ).fetchall()
    )
    return EditionInputs(edition_id, row[0], json.loads(row[1] or "{}"), payloads)


def payload_files(raw_dir: Path, source_id: str, sha256: str) -> list[Path]:
    """The manifest and parts of one landed payload; PayloadGone naming the first one missing."""
    folder = raw_dir / source_id
    manifest = folder / f"{sha256}.manifest.json"
    if not manifest.exists():
        raise PayloadGone(f"{source_id}: payload {sha256[:12]} is gone ({manifest} is missing)")
    parts = json.loads(manifest.read_text())["parts"]
    files = [manifest, *(folder / f"{p['sha256']}.{p['suffix']}" for p in parts)]
    for path in files[1:]:
        if not path.exists():
            raise PayloadGone(
                f"{source_id}: payload {sha256[:12]} is incomplete ({path} is missing)"
            )
    return files


def needed_files(raw_dir: Path, inputs: EditionInputs) -> list[Path]:
    return [f for s, sha in sorted(inputs.payloads.items()) for f in payload_files(raw_dir, s, sha)]


def unneeded_files(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> list[Path]:
    """Landed payload files (manifests and parts) no edition needs and no source points at."""
    keep: set[Path] = set()
    for source_id, sha in con.execute(
        "select distinct source_id, payload_sha256 from edition_source_history"
    ).fetchall():
        with contextlib.suppress(PayloadGone):
            keep.update(payload_files(raw_dir, source_id, sha))
    for latest in raw_dir.glob("*/latest.json"):
        sha = json.loads(latest.read_text())["sha256"]
        with contextlib.suppress(PayloadGone):
            keep.update(payload_files(raw_dir, latest.parent.name, sha))
    landed = [
        p
        for p in sorted(raw_dir.glob("*/*"))
        if p.is_file()
        and p.name != "latest.json"
        and not p.name.startswith(".")
        and p.name != "http_validators.json"
    ]
    return [p for p in landed if p not in keep]


# Set for a rebuild running in an edition's own checkout (method_checkout): it rebuilds there.
AT_COMMIT_ENV = "CITYDIP_REBUILD_AT_COMMIT"


def method_checkout(commit: str, target: Path, repo: Path = REPO_ROOT) -> Path | None:
    """The tree of `commit` extracted into `target` (`git archive`), with its dbt manifest
    parsed; None when the repository does not hold the commit (a shallow clone, another repo)."""
    known = subprocess.run(
        ["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=repo, capture_output=True
    )
    if known.returncode != 0:
        return None
    tree = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=repo, capture_output=True, check=True
    )
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tree.stdout)) as archive:
        archive.extractall(target, filter="data")
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--profiles-dir", ".", "--target", "build"],
        cwd=target / "dbt_project",
        capture_output=True,
        check=True,
    )
    return target


def rebuild_in_checkout(checkout: Path, commit: str, edition_id: int, settings: Settings) -> int:
    """Run `citydip rebuild --edition` with the code of `checkout` (on this home and instance);
    its exit code. Its output is the command's."""
    env = {
        **os.environ,
        "CITYDIP_HOME": str(settings.home),
        "DAGSTER_HOME": str(settings.dagster_home),
        "PYTHONPATH": str(checkout),
        AT_COMMIT_ENV: commit,
        # the checkout has no .git: git must not find the repository the home may sit in
        "GIT_CEILING_DIRECTORIES": str(checkout.parent),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli.main", "rebuild", "--edition", str(edition_id)],
        cwd=checkout,
        env=env,
    )
    return done.returncode


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def rebuild(settings: Settings, inputs: EditionInputs, workdir: Path) -> Path:
    """Build the edition again in `workdir` (a fresh home); return its published file."""
    import dagster as dg

    from pipelines.definitions import build_definitions
    from pipelines.defs.source_assets import payload_key
    from pipelines.refresh.instance import get_instance
    from sources import SOURCES

    files = needed_files(settings.raw_dir, inputs)  # PayloadGone before any work
    home = workdir / "home"
    for path in files:
        _link(path, home / "raw" / path.parent.name / path.name)
    for source_id, sha in inputs.payloads.items():
        manifest = home / "raw" / source_id / f"{sha}.manifest.json"
        shutil.copyfile(manifest, manifest.with_name("latest.json"))
    private = Settings(
        home=home,
        dagster_home=workdir / "dagster",
        source_mode="snapshot",
        dbt_vars=inputs.dbt_vars,
        fetch_retries=0,
        fetch_retry_delay=0,
    )
    defs = build_definitions(private)
    selection = (
        dg.AssetSelection.all()
        - dg.AssetSelection.assets(*(payload_key(s) for s in SOURCES.values()))
        - dg.AssetSelection.assets("scorecard_cards")
    )
    private.build_dir.mkdir(parents=True, exist_ok=True)
    result = dg.materialize(
        assets=list(defs.assets),
        resources=defs.resources,
        selection=selection,
        # a private instance configured as the refresh's (the warehouse pool, limit 1): an
        # ephemeral one never grants the pool's slots
        instance=get_instance(private.dagster_home),
        raise_on_error=False,
    )
    if not result.success:
        failed = [e.message for e in result.all_events if e.is_failure][:3]
        raise RuntimeError("the rebuild failed: " + " | ".join(m or "" for m in failed))
    return private.published_db


def compare(published: duckdb.DuckDBPyConnection, edition_id: int, rebuilt: Path) -> list[str]:
    """Differences between the edition's scorecard_city rows and the rebuilt ones (empty: equal),
    also kept as build/rebuild-<edition>.txt beside the rebuild's private home."""
    problems = _compare(published, edition_id, rebuilt)
    report = rebuilt.parents[2] / f"rebuild-{edition_id}.txt"
    report.write_text("\n".join(problems) + "\n" if problems else "equal\n")
    return problems


def _compare(published: duckdb.DuckDBPyConnection, edition_id: int, rebuilt: Path) -> list[str]:
    with duckdb.connect(str(rebuilt), read_only=True) as con:
        new = con.execute("select * from scorecard_city order by year, city_id").df()
    old = published.execute(
        "select * exclude (edition_id) from scorecard_city_history where edition_id = ? "
        "order by year, city_id",
        [edition_id],
    ).df()
    problems = []
    all_null = {c for c in old.columns if old[c].isna().all()}
    missing = sorted((set(new.columns) ^ set(old.columns)) - all_null)
    if missing:
        problems.append(f"columns differ: {', '.join(missing)}")
    if len(new) != len(old):
        problems.append(f"{len(old)} rows published, {len(new)} rebuilt")
        return problems
    old = old.set_index(["year", "city_id"])
    new = new.set_index(["year", "city_id"])
    if not old.index.equals(new.index):
        return [*problems, "the (year, city) rows differ"]
    for column in sorted(set(old.columns) & set(new.columns)):
        for key, a, b in zip(old.index, old[column], new[column], strict=True):
            if not _equal(a, b):
                problems.append(f"{key[1]} {key[0]} {column}: published {a!r}, rebuilt {b!r}")
    return problems


def _missing(value) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array: not a missing scalar
        return False


def _equal(a, b) -> bool:
    a_missing, b_missing = _missing(a), _missing(b)
    if a_missing or b_missing:
        return a_missing and b_missing
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) <= TOLERANCE * max(1.0, abs(float(a)))
        except (TypeError, ValueError):
            return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return str(a) == str(b)
