"""Run the four benchmarks and write the results: `python -m bench.run [--quick]`.

Full (`make bench`): five interleaved rounds of cold / bare dbt / no-change / one-source refresh,
and the scale benchmark at 30 thousand (dbt's fixed cost) and 1, 3, 10 and 30 million
observations; rewrites bench/RESULTS.md.
Quick (`make bench-quick`, CI): one round and two tiny panels (`dbt test` on the first only),
the two parts side by side (`--skip-scale` and `--skip-refresh`, then `--combine`); writes
bench/out/RESULTS-quick.md.
Times are reported, never asserted; only broken behaviour (a failed command, a no-change refresh
that rebuilt a model, a scorecard that disagrees with the hand-written SQL) fails the run.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
from pathlib import Path

from bench.generate import Panel
from bench.measure import REPO
from bench.refresh import run_refresh_benchmarks
from bench.report import machine, write_report
from bench.scale import SENSITIVITY_DRAWS, run_scale
from pipelines.spark_export import spark_missing

OUT = REPO / "bench" / "out"
# The first, tiny panel measures dbt's fixed cost (start-up, parse, the small models): growth is
# linear when the cost above it, per million observations, is the same at every size.
FULL_PANELS = [
    Panel(10, 100, 30),
    Panel(334, 100, 30),
    Panel(1000, 100, 30),
    Panel(3334, 100, 30),
    Panel(10000, 100, 30),
]
QUICK_PANELS = [Panel(50, 20, 10), Panel(150, 20, 10)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each (CI)")
    parser.add_argument("--runs", type=int, help="refresh rounds (default 5, quick 1)")
    parser.add_argument("--output", type=Path, help="where to write the results")
    parser.add_argument("--skip-refresh", action="store_true", help="only the scale benchmark")
    parser.add_argument("--skip-scale", action="store_true", help="only the refresh benchmarks")
    parser.add_argument(
        "--panels",
        help="scale sizes as CITIESxINDICATORSxYEARS,... (default 1M, 3M, 10M, 30M observations)",
    )
    parser.add_argument(
        "--tests-up-to",
        type=int,
        default=None,
        help="run `dbt test` only at panels of at most this many observations",
    )
    parser.add_argument(
        "--sensitivity-draws",
        type=int,
        default=SENSITIVITY_DRAWS,
        help=f"dbt var sensitivity_draws at scale (default {SENSITIVITY_DRAWS}; the project's 500 "
        "draws x 30 million observations is out of reach of this machine)",
    )
    parser.add_argument(
        "--spark",
        default=None,
        help="panels (observations, comma-separated) also built on local Spark (default: the "
        "largest full panel; none in quick mode); 'none' for none",
    )
    parser.add_argument("--note", help="a sentence added to the machine section (--combine)")
    parser.add_argument(
        "--combine",
        action="store_true",
        help="write the report from the parts saved in bench/out/ by the last full run, or by "
        "two earlier --skip-* runs",
    )
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else 5)
    panels = QUICK_PANELS if args.quick else FULL_PANELS
    if args.panels:
        panels = [Panel(*(int(n) for n in p.split("x"))) for p in args.panels.split(",")]
    output = args.output or (
        OUT / "RESULTS-quick.md" if args.quick else REPO / "bench" / "RESULTS.md"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    for name in ("CITYDIP_SOURCE_MODE", "CITYDIP_LIVE_SOURCES", "CITYDIP_DBT_VARS"):
        os.environ.pop(name, None)

    # the parts a run measured, kept so that `--combine` rewrites the report without measuring
    # again; a quick run's apart, so that it never mixes into a full run's report
    parts = {
        name: OUT / f"{name}{'-quick' if args.quick else ''}.pkl" for name in ("refresh", "scale")
    }
    if args.combine:
        host, refresh = _load(parts["refresh"])
        scale_host, scale = _load(parts["scale"])
        notes = (
            []
            if scale_host == host
            else ["refresh and scale parts run as two concurrent processes"]
        )
        if args.note:
            notes.append(args.note)
        if notes:
            host["parts"] = "; ".join(notes)
        return _finish(output, host, refresh, scale, args.quick)
    host = machine()
    refresh = None
    if not args.skip_refresh:
        print(f"refresh benchmarks: {runs} round(s)", flush=True)
        refresh = run_refresh_benchmarks(runs, OUT / "refresh")
    scale = []
    on_spark = _spark_panels(args, panels)
    if on_spark and (missing := spark_missing()):
        print(f"not on Spark: {missing}", flush=True)
        host["spark"] = f"not run: {missing}"
        on_spark = set()
    if not args.skip_scale:
        for panel in panels:
            print(f"scale benchmark: {panel.observations:,} observations", flush=True)
            scale.append(
                run_scale(
                    panel,
                    OUT / "scale",
                    with_tests=_with_tests(args, panel, panels),
                    with_defaults=panel is _defaults_panel(panels) and not args.quick,
                    sensitivity_draws=args.sensitivity_draws,
                    with_spark=panel.observations in on_spark,
                    repeats=1 if args.quick else 3,
                )
            )
            if args.skip_refresh:  # saved after each size, so an interrupted run keeps them
                _save(parts["scale"], {**host, "load_after": os.getloadavg()}, scale)
    host["load_after"] = os.getloadavg()
    if refresh is not None:
        _save(parts["refresh"], host, refresh)
    if scale:
        _save(parts["scale"], host, scale)
    return _finish(output, host, refresh, scale, args.quick)


def _spark_panels(args: argparse.Namespace, panels: list[Panel]) -> set[int]:
    """The panel sizes (observations) to build on Spark as well."""
    if args.spark is None:
        return set() if args.quick else {panels[-1].observations}
    if args.spark == "none":
        return set()
    return {int(n) for n in args.spark.split(",")}


def _defaults_panel(panels: list[Panel]) -> Panel:
    """The full default method is timed once, at the smallest panel of a million or more
    observations (or the largest, if none is that big)."""
    big = [p for p in panels if p.observations >= 1_000_000]
    return big[0] if big else panels[-1]


def _with_tests(args: argparse.Namespace, panel: Panel, panels: list[Panel]) -> bool:
    """`dbt test` at every panel, at the first only in quick mode, or up to --tests-up-to."""
    if args.tests_up_to is not None:
        return panel.observations <= args.tests_up_to
    return panel is panels[0] or not args.quick


def _save(path: Path, host: dict, part) -> None:
    path.write_bytes(pickle.dumps((host, part)))


def _load(path: Path):
    return pickle.loads(path.read_bytes())


def _finish(output: Path, host: dict, refresh, scale, quick: bool) -> int:
    problems = write_report(output, host, refresh, scale, quick=quick)
    print(f"wrote {output}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
