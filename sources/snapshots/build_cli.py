"""The command line every snapshot build script shares:

    python sources/snapshots/<id>/build.py [OUTDIR] [--upstream PATH]

A build reads only files in the repository (its folder's `source_export/`, the city seed) and
writes the snapshot into OUTDIR, by default its own folder; `make snapshots-check` builds into a
temporary folder and compares byte for byte (sources/snapshots/check.py). `--upstream`, where a
script offers it, first derives the in-repo input from the original upstream file (see the
folder's README), writes it to OUTDIR/source_export/, and builds from that.

Standard library only: the scripts run without the project installed and put this folder on
`sys.path` to import it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def run(doc: str, here: Path, build_into: Callable[..., str], upstream: str = "") -> None:
    """Parse the command line of the script whose docstring is `doc` and folder `here`, call
    `build_into(outdir)` (or `build_into(outdir, upstream_path)` when the script offers
    `--upstream`, described by `upstream`) and print the summary line it returns."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument(
        "outdir", nargs="?", type=Path, default=here, help="where to write (default: this folder)"
    )
    if upstream:
        parser.add_argument("--upstream", type=Path, help=upstream)
    args = parser.parse_args()
    print(build_into(args.outdir, args.upstream) if upstream else build_into(args.outdir))


def source_export(
    here: Path,
    outdir: Path,
    name: str,
    upstream: Path | None,
    derive: Callable[[Path, Path], None],
) -> Path:
    """The input `source_export/<name>` a build reads: the shipped one in `here`, or, given the
    upstream file, the one `derive(upstream, path)` writes into OUTDIR/source_export/."""
    if upstream is None:
        return here / "source_export" / name
    export = outdir / "source_export" / name
    export.parent.mkdir(parents=True, exist_ok=True)
    derive(upstream, export)
    return export
