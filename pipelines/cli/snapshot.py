"""`citydip snapshot SOURCE`: keep the newest landed payload of a source as its offline snapshot.

A live refresh lands every response under CITYDIP_HOME/raw/<source>/. This command checks that
the newest landed payload still parses and validates, then writes its responses, verbatim, into
sources/snapshots/<source>/ with a manifest (each response's URL, the retrieval time), so every
offline refresh after it loads exactly those figures. It is how real data gets shipped for a
source without a snapshot, or a snapshot refreshed (e.g. `citydip refresh --live --select
worldbank`, then `citydip snapshot worldbank`); review the diff and update the folder's README
before committing. (For `wikidata` it would replace the shipped exports by live SPARQL answers,
which have no Wikipedia twin-town counts: see that folder's README.)
"""

from __future__ import annotations

import argparse
import difflib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.settings import load_settings

if TYPE_CHECKING:
    from sources.payload import Payload

EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "snapshot",
        help="keep the newest landed (live) payload of a source as its offline snapshot",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", help="the source id, as `citydip sources` lists it")
    parser.add_argument(
        "--into",
        type=Path,
        default=None,
        help="the snapshots folder to write into (default: the repository's sources/snapshots)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # the source registry imports pandas, pandera and requests: only when the command runs
    from pipelines.defs.landing import load_landed
    from sources import SOURCES
    from sources.errors import SourceError

    source = SOURCES.get(args.source)
    if source is None:
        close = difflib.get_close_matches(args.source, list(SOURCES), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        print(f"no source {args.source!r}{hint} (`citydip sources` lists them)")
        return EXIT_USAGE
    raw_dir = load_settings().raw_dir
    try:
        payload = load_landed(raw_dir, source.id)
    except FileNotFoundError:
        print(
            f"no payload of {source.id!r} has been landed in {raw_dir}: run "
            f"`citydip refresh --live --select {source.id}` first"
        )
        return EXIT_FAILED
    try:
        observations = source.observations(payload)
    except SourceError as error:
        print(f"the newest landed payload does not validate, so it is not kept: {error}")
        return EXIT_FAILED
    folder = (args.into or source.snapshot_dir) / source.id
    write_snapshot(folder, payload)
    fetched = f"{payload.fetched_at:%Y-%m-%d %H:%M} UTC"
    print(
        f"{source.id}: kept {len(payload.parts)} response(s) fetched {fetched} "
        f"({len(observations)} observations) as the snapshot in {folder}. Review the diff, "
        "update its README (provenance, date) and commit."
    )
    return 0


def write_snapshot(folder: Path, payload: Payload) -> None:
    """Replace the files the old manifest listed by the payload's responses and a new manifest
    (each response's URL and sha256, which `make snapshots-check` verifies); anything else in
    the folder (README, build scripts) stays."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        for part in json.loads(manifest_path.read_text()).get("parts", []):
            (folder / Path(part["file"]).name).unlink(missing_ok=True)
    parts = []
    for number, part in enumerate(payload.parts, start=1):
        name = f"{payload.source_id}-{number:02d}.{part.suffix}"
        (folder / name).write_bytes(part.body)
        parts.append({"file": name, "url": part.url, "sha256": part.sha256})
    manifest = {"retrieved_at": payload.fetched_at.isoformat(), "parts": parts}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
