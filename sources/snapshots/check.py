"""`make snapshots-check`: every shipped snapshot against what the repository alone reproduces.

    python sources/snapshots/check.py [SOURCE ...]      # every folder, or the named ones

A folder with a `build.py` is rebuilt into a temporary folder (`build.py TMP/<id>`: the build
reads only files in the repository, its `source_export/` and the city seed), and every file the
build writes must equal the shipped one byte for byte. A folder without one holds files kept as
they came (a provider's response, e.g. kept by `citydip snapshot`, or a publication's figures
typed by hand): each part its manifest lists must match the part's `sha256` there. A manifest
part that is neither rebuilt nor pinned by a sha256 is a difference too. Prints every difference
and exits 1 if there is one. Stdlib only, like the build scripts.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SNAPSHOTS = Path(__file__).resolve().parent


def snapshot_folders(root: Path, names: list[str] | None = None) -> list[Path]:
    folders = sorted(p for p in root.iterdir() if p.is_dir() and p.name[0] not in "._")
    if names:
        unknown = sorted(set(names) - {folder.name for folder in folders})
        if unknown:
            raise SystemExit(f"no snapshot folder {', '.join(unknown)} in {root}")
        folders = [folder for folder in folders if folder.name in names]
    return folders


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def first_difference(shipped: bytes, rebuilt: bytes) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(shipped, rebuilt, strict=False)) if a != b),
        min(len(shipped), len(rebuilt)),
    )
    line = shipped[:at].count(b"\n") + 1
    return f"from byte {at} (line {line}); {len(shipped)} bytes shipped, {len(rebuilt)} rebuilt"


def check_build(folder: Path, out: Path) -> tuple[list[str], set[str]]:
    """Rebuild `folder` into `out`; the differences, and the files the build wrote."""
    result = subprocess.run(
        [sys.executable, str(folder / "build.py"), str(out)],
        capture_output=True,
        text=True,
        cwd=out.parent,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    if result.returncode != 0:
        error = (result.stderr.strip() or result.stdout.strip()).splitlines()[-1:]
        return [f"{folder.name}: build.py failed (exit {result.returncode}): {error}"], set()
    built = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    if not built:
        return [f"{folder.name}: build.py wrote nothing"], built
    problems = []
    for name in sorted(built):
        shipped, rebuilt = folder / name, out / name
        if not shipped.is_file():
            problems.append(f"{folder.name}/{name}: written by build.py but not shipped")
        elif shipped.read_bytes() != rebuilt.read_bytes():
            difference = first_difference(shipped.read_bytes(), rebuilt.read_bytes())
            problems.append(f"{folder.name}/{name}: differs from its rebuild {difference}")
    return problems, built


def check_manifest(folder: Path, built: set[str]) -> list[str]:
    """Every part the manifest lists that the build did not write: present, with its sha256."""
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return [f"{folder.name}: no manifest.json"]
    problems = []
    for part in json.loads(manifest.read_text(encoding="utf-8")).get("parts", []):
        name = part["file"]
        path = folder / name
        if name in built:
            continue
        if not path.is_file():
            problems.append(f"{folder.name}/{name}: listed in manifest.json but missing")
        elif "sha256" not in part:
            problems.append(
                f"{folder.name}/{name}: neither rebuilt by a build.py nor pinned by a sha256 "
                "in manifest.json"
            )
        elif sha256(path) != part["sha256"]:
            problems.append(
                f"{folder.name}/{name}: sha256 {sha256(path)} is not the {part['sha256']} "
                "manifest.json pins"
            )
    return problems


def check(root: Path = SNAPSHOTS, names: list[str] | None = None) -> tuple[list[str], list[str]]:
    """(what was checked, one line per snapshot; the differences found)."""
    checked, problems = [], []
    with tempfile.TemporaryDirectory(prefix="citydip-snapshots-") as tmp:
        for folder in snapshot_folders(root, names):
            built: set[str] = set()
            if (folder / "build.py").is_file():
                found, built = check_build(folder, Path(tmp) / folder.name)
                problems += found
            problems += check_manifest(folder, built)
            how = f"{len(built)} file(s) rebuilt" if built else "sha256 of its manifest's parts"
            checked.append(f"{folder.name}: {how}")
    return checked, problems


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    checked, problems = check(SNAPSHOTS, names)
    for line in checked:
        print(line)
    if problems:
        print(f"\n{len(problems)} difference(s) between the shipped snapshots and their inputs:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(f"\nevery snapshot ({len(checked)}) matches byte for byte")
    return 0


if __name__ == "__main__":
    sys.exit(main())
