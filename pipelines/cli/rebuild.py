"""`citydip rebuild --edition ID`: rebuild an edition from its raw payloads and compare its
scorecard_city with the published one; `--unneeded` lists the payload files no edition needs."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from rich.console import Console

from pipelines.read.reader import WarehouseMissing, open_published
from pipelines.settings import load_settings

EXIT_EQUAL, EXIT_DIFFERS, EXIT_USAGE, EXIT_NO_WAREHOUSE, EXIT_PAYLOAD_GONE = 0, 1, 2, 3, 4


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "rebuild",
        help="rebuild an edition from its raw payloads and compare with what it published",
        description="Rebuild edition ID's scorecard from the raw payloads it used (raw/, "
        "content-addressed) with its dbt vars, in a private home under build/, and compare "
        "scorecard_city row for row with the published one. Exit 0: equal; 1: differs; 2: bad "
        "usage (unknown edition); 4: a payload it needs is gone. --unneeded lists the payload "
        "files no edition needs (safe to prune).",
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--edition", type=int, help="the edition to rebuild (edition_history)")
    what.add_argument("--unneeded", action="store_true", help="list prunable payload files")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pipelines.editions.rebuild import (
        AT_COMMIT_ENV,
        PayloadGone,
        UnknownEdition,
        compare,
        edition_inputs,
        method_checkout,
        needed_files,
        rebuild,
        rebuild_in_checkout,
        unneeded_files,
    )

    out, err = Console(highlight=False), Console(stderr=True, highlight=False, soft_wrap=True)
    settings = load_settings()
    try:
        published = open_published(settings.published_db)
    except WarehouseMissing as exc:
        err.print(f"[red]citydip rebuild:[/] {exc}")
        return EXIT_NO_WAREHOUSE
    with published as con:
        if args.unneeded:
            for path in unneeded_files(con, settings.raw_dir):
                print(path)
            return EXIT_EQUAL
        try:
            inputs = edition_inputs(con, args.edition)
            needed_files(settings.raw_dir, inputs)
        except UnknownEdition as exc:
            err.print(f"[red]citydip rebuild:[/] {exc}")
            return EXIT_USAGE
        except PayloadGone as exc:
            err.print(
                f"[red]citydip rebuild:[/] edition {args.edition} cannot be rebuilt: {exc}. "
                "Its payloads must stay under raw/ (docs/operations.md, retention)."
            )
            return EXIT_PAYLOAD_GONE
        from pipelines.defs.edition import git_commit

        settings.build_dir.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=f"rebuild-{args.edition}-", dir=settings.build_dir))
        try:
            here = git_commit()
            if inputs.git_commit not in (here, "unknown") and not os.environ.get(AT_COMMIT_ENV):
                checkout = method_checkout(inputs.git_commit, workdir / "checkout")
                if checkout is not None:
                    out.print(
                        f"edition {args.edition} was published at commit "
                        f"{inputs.git_commit[:12]}: rebuilding with the method of that commit",
                        soft_wrap=True,
                    )
                    return rebuild_in_checkout(checkout, inputs.git_commit, args.edition, settings)
                err.print(
                    f"[yellow]note:[/] edition {args.edition} was published at commit "
                    f"{inputs.git_commit[:12]}, which this repository does not hold: rebuilt "
                    f"with the method of the checkout ({here[:12]})"
                )
            # dbt's and Dagster's output to a log, as a refresh's; the console gets the verdict
            log_path = settings.build_dir / f"rebuild-{args.edition}.log"
            try:
                with (
                    log_path.open("w") as log,
                    contextlib.redirect_stdout(log),
                    contextlib.redirect_stderr(log),
                ):
                    rebuilt = rebuild(settings, inputs, workdir)
            except RuntimeError as exc:
                err.print(f"[red]citydip rebuild:[/] edition {args.edition}: {exc} ({log_path})")
                return EXIT_DIFFERS
            problems = compare(con, args.edition, rebuilt)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    report = settings.build_dir / f"rebuild-{args.edition}.txt"
    if problems:
        lines = [f"edition {args.edition}: the rebuild differs ({len(problems)}):"]
        lines += [f"  {line}" for line in problems]
        report.write_text("\n".join(lines) + "\n")
        out.print(f"edition {args.edition}: the rebuild [red]differs[/] ({len(problems)}):")
        for line in problems[:20]:
            print(f"  {line}", file=sys.stdout)
        out.print(f"every difference: {report}")
        return EXIT_DIFFERS
    report.write_text(f"edition {args.edition}: scorecard_city equal row for row\n")
    out.print(
        f"edition {args.edition}: rebuilt from its payloads, scorecard_city equal row for row"
    )
    return EXIT_EQUAL
