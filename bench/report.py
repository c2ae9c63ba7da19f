"""Write bench/RESULTS.md: the machine, the four benchmarks, the targets, and the findings."""

from __future__ import annotations

import json
import os
import platform
import statistics
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.generate import FIRST_YEAR
from bench.refresh import RefreshResults
from bench.scale import COMPARABLE_VARS, ScaleResult
from bench.spark_scale import SPARK_SETTINGS

FINDINGS = Path(__file__).with_name("FINDINGS.md")
GIB = 1024


def machine() -> dict:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "os": f"{platform.system()} {platform.release()}",
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "versions": ", ".join(
            f"{p} {version(p)}"
            for p in ("dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb")
        ),
        "duckdb": f"memory_limit={os.environ.get('CITYDIP_DUCKDB_MEMORY_LIMIT', '2GB')}, "
        f"threads={os.environ.get('CITYDIP_DUCKDB_THREADS', '2')}, preserve_insertion_order=false",
        "load_before": os.getloadavg(),
    }


def write_report(
    path: Path,
    host: dict,
    refresh: RefreshResults | None,
    scale: list[ScaleResult],
    *,
    quick: bool,
) -> list[str]:
    """Write the report; return the behaviour problems found (not slowness)."""
    problems: list[str] = []
    lines = [
        "# citydip benchmarks",
        "",
        f"Written by `make {'bench-quick' if quick else 'bench'}` ({'quick: tiny sizes, one run each; for CI, not for reading' if quick else 'full'}) "
        f"on {host['when']}. Rerun with `make bench`; the findings at the end are kept in "
        "`bench/FINDINGS.md`.",
        "",
        "## Machine",
        "",
        f"- {host['os']}, {host['cpu']}, {host['cores']} cores, {host['memory']} RAM",
        f"- Python {host['python']}; {host['versions']}",
        f"- DuckDB (dbt profile and hand-written SQL alike): {host['duckdb']}",
        f"- load average (1, 5, 15 min) before: {_load(host['load_before'])}; after: "
        f"{_load(host.get('load_after', host['load_before']))}. The machine is shared: wall "
        "times carry that load, so CPU time (user + sys of the command and its children) is "
        "reported beside them.",
        *([f"- {host['parts']}."] if host.get("parts") else []),
        *([f"- Spark: {host['spark']}."] if host.get("spark") else []),
        "",
    ]
    targets: list[tuple[str, str, bool | None]] = []
    if refresh is not None:
        lines += _refresh_section(refresh, targets, problems)
    if scale:
        lines += _scale_section(scale, targets, problems)
    head = ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for name, measured, met in targets:
        head.append(f"| {name} | {measured} | {'yes' if met else 'no' if met is False else '—'} |")
    lines[lines.index("## Machine") : lines.index("## Machine")] = [*head, ""]
    if FINDINGS.exists():
        lines += ["", FINDINGS.read_text().strip(), ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip() + "\n")
    return problems


def _per_million(seconds: float, s: ScaleResult) -> str:
    return f"{seconds / s.panel.observations * 1e6:.2f}"


# Issue 16's range for linear growth: "from 1 M to 30 M" observations.
LINEAR_FROM = 1_000_000


def _marginal_per_million(
    results: list[ScaleResult], base: ScaleResult, seconds=lambda s: s.dbt_run.wall_s
) -> dict:
    """{panel: wall seconds per million observations above `base`'s}, for every larger panel;
    `seconds` picks the timing (default the dbt run's wall)."""
    return {
        s.panel: (seconds(s) - seconds(base))
        / (s.panel.observations - base.panel.observations)
        * 1e6
        for s in results
        if s.panel.observations > base.panel.observations
    }


def _linear_base(results: list[ScaleResult]) -> ScaleResult | None:
    """The panel the growth target measures from: the first of LINEAR_FROM observations or more."""
    return next((s for s in results if s.panel.observations >= LINEAR_FROM), None)


def _shown(marginal: dict, s: ScaleResult) -> str:
    return f"{marginal[s.panel]:.2f}" if s.panel in marginal else "—"


def _spread(marginal: dict) -> float | None:
    """The largest deviation of the per-million costs from their median; None under two."""
    if len(marginal) < 2:
        return None
    return max(abs(m / statistics.median(marginal.values()) - 1) for m in marginal.values())


def _full_default_lines(results: list[ScaleResult]) -> list[str]:
    rows = [s for s in results if s.defaults and s.default_sensitivity]
    if not rows:
        return []
    lines = [
        "The full default method (last-observation imputation, winsorising, the project's "
        "sensitivity draws; no `--vars` but `first_year`): the core models, then the sensitivity "
        "part, each a `dbt run`.",
        "",
        "| observations | core models s | CPU s | sensitivity part s (draws) | CPU s | RSS MiB "
        "| total s |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in rows:
        core, sens = s.defaults, s.default_sensitivity
        lines.append(
            f"| {s.panel.observations:,} | {core.wall_s:.1f} | {core.cpu_s:.1f} | "
            f"{sens.wall_s:.1f} ({s.default_draws}) | {sens.cpu_s:.1f} | "
            f"{max(core.peak_rss_mib, sens.peak_rss_mib):.0f} | {core.wall_s + sens.wall_s:.1f} |"
        )
    return [*lines, ""]


def _spark_lines(results: list[ScaleResult]) -> list[str]:
    rows = [s for s in results if s.spark]
    if not rows:
        return []
    lines = [
        "On Apache Spark (`bench/spark_scale.py`): the same core models and vars through dbt-spark's "
        f"`session` method, local[2] ({', '.join(f'{k}={v}' for k, v in SPARK_SETTINGS.items())}), "
        "over the panel's raw tables exported as Parquet the way the load step exports them; "
        "Spark's overall scores compared with the hand-written statement's. Wall time only: "
        "Spark's JVM is a process dbt does not wait for, so its CPU time and memory escape the "
        "probe (its heap is bounded by the driver memory).",
        "",
        "| observations | Spark dbt run s | seeds s | DuckDB dbt run s | Spark / DuckDB | "
        "Spark / hand SQL | same scorecard |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in rows:
        k = s.spark
        lines.append(
            f"| {s.panel.observations:,} | {k.dbt_run.wall_s:.1f} | {k.seed.wall_s:.1f} | "
            f"{s.dbt_run.wall_s:.1f} | "
            f"{k.dbt_run.wall_s / s.dbt_run.wall_s:.2f} | "
            f"{k.dbt_run.wall_s / s.handwritten.wall_s:.2f} | "
            f"{'yes' if k.agrees else 'NO'} ({k.rows:,} rows, max diff "
            f"{k.max_score_diff or 0:.1e}) |"
        )
    return [*lines, ""]


def _load(values) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def _median_seconds(r: RefreshResults, kind: str, model: str = "audit_sobol") -> str:
    times = sorted(t[model] for t in r.audit_seconds.get(kind, []) if model in t)
    return f"{times[len(times) // 2]:.1f}" if times else "—"


def _refresh_section(r: RefreshResults, targets: list, problems: list) -> list[str]:
    cold, bare = r.summary("cold"), r.summary("bare_dbt")
    unchanged, changed = r.summary("unchanged"), r.summary("changed")
    ratio = cold.wall_s / bare.wall_s
    cpu_ratio = cold.cpu_s / bare.cpu_s
    share = unchanged.wall_s / cold.wall_s
    rebuilt_unchanged = [sorted(b & r.dbt_models) for b in r.built["unchanged"]]
    rebuilt_changed = [b & r.dbt_models for b in r.built["changed"]]
    other = [sorted(b - r.curated_downstream) for b in rebuilt_changed]
    if any(rebuilt_unchanged):
        problems.append(f"a no-change refresh rebuilt dbt models: {rebuilt_unchanged}")
    if any(
        k.startswith("raw/") or k == "published_warehouse" for b in r.built["unchanged"] for k in b
    ):
        problems.append("a no-change refresh reloaded a raw table or republished")
    if any(other):
        problems.append(f"a QS-only change rebuilt models outside its downstream: {other}")
    audit_models = {m for m in r.dbt_models if m.startswith("audit_")}
    rebuilt_audit = [sorted(b & audit_models) for b in r.built["unchanged"]]
    if any(rebuilt_audit):
        problems.append(f"a no-change refresh recomputed the audit: {rebuilt_audit}")
    cards = sorted({k for b in r.built["unchanged"] for k in b if "cards" in k})
    targets += [
        (
            "cold refresh within 2x bare `dbt build`",
            f"{ratio:.2f}x wall ({cold.wall_s:.1f} s vs {bare.wall_s:.1f} s); {cpu_ratio:.2f}x CPU",
            ratio <= 2,
        ),
        (
            "no-change refresh rebuilds zero dbt models",
            f"{max(len(x) for x in rebuilt_unchanged)} models in {len(rebuilt_unchanged)} run(s)",
            not any(rebuilt_unchanged),
        ),
        (
            "no-change refresh under 1/3 of cold",
            f"{share:.2f} of cold wall ({unchanged.wall_s:.1f} s); "
            f"{unchanged.cpu_s / cold.cpu_s:.2f} of cold CPU",
            share < 1 / 3,
        ),
        (
            "no-change refresh recomputes no statistical audit (Sobol sampling)",
            f"{max(len(x) for x in rebuilt_audit)} of {len(audit_models)} audit models "
            f"materialised in {len(rebuilt_audit)} run(s); audit_sobol took "
            f"{_median_seconds(r, 'cold')} s in the cold refresh (sampling every year) and "
            f"{_median_seconds(r, 'changed')} s with one source changed (years whose inputs "
            "did not change reuse their indices)",
            not any(rebuilt_audit),
        ),
        (
            "one source changed: only its downstream rebuilt",
            f"{len(rebuilt_changed[0])} of {len(r.dbt_models)} dbt models rebuilt; the QS source's "
            f"staging model and its descendants are {len(r.curated_downstream)}",
            not any(other),
        ),
    ]

    def row(name: str, s, built: list[set[str]] | None) -> str:
        models = published = "—"
        if built is not None:
            models = "/".join(str(len(b & r.dbt_models)) for b in built)
            published = "/".join("yes" if "published_warehouse" in b else "no" for b in built)
        return (
            f"| {name} | {s.runs} | {s.wall_s:.1f} | {s.cpu_s:.1f} | {s.peak_rss_mib:.0f} | "
            f"{', '.join(map(str, s.walls))} | {models} | {published} |"
        )

    return [
        "## 1-3. Refresh (snapshot sources, every source of the catalogue)",
        "",
        "Each round: a cold `citydip refresh` (fresh `CITYDIP_HOME` and `DAGSTER_HOME`), a bare "
        "`dbt build` on a copy of the working database that refresh loaded (same project, same "
        "raw tables, same partial-parse state), a second refresh with nothing changed, and a "
        f"third with one source (the QS publication) changed (served live by a local mirror: the real "
        f"snapshot minus its last rows). {len(r.dbt_models)} dbt models in the project.",
        "",
        "| run | runs | median wall s | median CPU s | peak RSS MiB | walls s | dbt models "
        "materialised | published |",
        "|---|---|---|---|---|---|---|---|",
        row("cold refresh", cold, r.built["cold"]),
        row("bare `dbt build`", bare, None),
        row("no-change refresh", unchanged, r.built["unchanged"]),
        row("one source changed", changed, r.built["changed"]),
        "",
        f"Cards re-rendered by the no-change refreshes: {len(cards)} "
        f"({'no cards asset on this branch' if not any('cards' in k for b in r.built['cold'] for k in b) else 'the cards asset `scorecard_cards` is rendered by every cold refresh'}).",
        "",
    ]


def _scale_section(results: list[ScaleResult], targets: list, problems: list) -> list[str]:
    lines = [
        "## 4. Scale (synthetic panel, the real dbt models vs one hand-written statement)",
        "",
        "`bench/generate.py` writes N cities x M indicators x Y years (fixed seed) as "
        "`raw.<source>_observations` tables and synthetic `cities`/`indicators` seeds (no "
        "per-capita denominator); a copy of the dbt project whose models, macros and tests are "
        "the real files runs on them. The compared `dbt run` (the median of three runs, as is "
        "the hand-written statement's) builds every model but the "
        "weight-sensitivity and contribution models and what depends on them (seeds loaded "
        "beforehand), with `--vars` "
        f"`{json.dumps({**COMPARABLE_VARS, 'first_year': FIRST_YEAR})}`: all 30 years scored, "
        "imputation and outlier treatment off, so that it computes the same min-max arithmetic "
        "scorecard as `bench/handwritten_scorecard.sql`, one DuckDB statement (edition year, "
        "pillar coverage with the default `min_pillar_coverage`/`coverage_basis`, min-max, "
        "weighted means, ranks), each in its own process with the same DuckDB settings. On this "
        "complete synthetic panel the defaults (last-observation imputation, winsorising) would "
        "change no value, only add work: that cost is the 'defaults' column, measured at the "
        "first size of a million or more, with the full default method's row below it. The "
        "sensitivity part (`int_sensitivity_draws_ranked+ int_contributions_explained+`"
        ": the draws, scorecard_sensitivity, the contributions and scorecard_city, which joins "
        "the sensitivity ranks) is a second `dbt run` with a reduced `sensitivity_draws`, timed "
        "apart; `dbt test` (every test) is timed apart too. dbt's `scorecard_city` and the "
        "hand-written result are compared row by row.",
        "",
        "| observations | cities x ind. x years | dbt run s | CPU s | RSS MiB | hand SQL s | CPU s "
        "| RSS MiB | ratio | sensitivity part s (draws) | RSS MiB | defaults s | dbt test s | "
        "test RSS MiB | same scorecard |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in results:
        test = s.dbt_test
        tested = f"{test.wall_s:.1f} | {test.peak_rss_mib:.0f}" if test else "not run | —"
        lines.append(
            f"| {s.panel.observations:,} | {s.panel.cities:,} x {s.panel.indicators} x "
            f"{s.panel.years} | {s.dbt_run.wall_s:.1f} | {s.dbt_run.cpu_s:.1f} | "
            f"{s.dbt_run.peak_rss_mib:.0f} | {s.handwritten.wall_s:.1f} | "
            f"{s.handwritten.cpu_s:.1f} | {s.handwritten.peak_rss_mib:.0f} | {s.ratio:.2f} | "
            f"{s.sensitivity.wall_s:.1f} ({s.sensitivity_draws}) | "
            f"{s.sensitivity.peak_rss_mib:.0f} | "
            f"{f'{s.defaults.wall_s:.1f}' if s.defaults else '—'} | {tested} | {'yes' if s.agrees else 'NO'} ({s.rows:,} rows, "
            f"max diff {s.max_score_diff or 0:.1e}) |"
        )
        if s.spark and not s.spark.agrees:
            problems.append(
                f"Spark and the hand-written scorecard disagree at {s.panel.observations:,}: "
                f"{s.spark.unmatched} unmatched rows, {s.spark.rank_mismatches} ranks"
            )
        if not s.agrees:
            problems.append(
                f"dbt and the hand-written scorecard disagree at {s.panel.observations:,}: "
                f"{s.unmatched} unmatched rows, {s.rank_mismatches} ranks, diff {s.max_score_diff}"
            )
    first, last = results[0], results[-1]
    growth = last.panel.observations / first.panel.observations
    dbt_growth = last.dbt_run.wall_s / first.dbt_run.wall_s
    hand_growth = last.handwritten.wall_s / first.handwritten.wall_s
    marginal = _marginal_per_million(results, first)
    base = _linear_base(results)
    linear = _marginal_per_million(results, base) if base else {}
    hand_linear = (
        _marginal_per_million(results, base, lambda s: s.handwritten.wall_s) if base else {}
    )
    peak = max(
        max(
            s.dbt_run.peak_rss_mib,
            s.handwritten.peak_rss_mib,
            s.dbt_test.peak_rss_mib if s.dbt_test else 0,
            s.sensitivity.peak_rss_mib,
            s.defaults.peak_rss_mib if s.defaults else 0,
            s.default_sensitivity.peak_rss_mib if s.default_sensitivity else 0,
        )
        for s in results
    )
    lines += [
        "",
        f"Growth from {first.panel.observations:,} to {last.panel.observations:,} observations "
        f"({growth:.0f}x): dbt run {dbt_growth:.1f}x, hand-written SQL {hand_growth:.1f}x "
        "(dbt's fixed start-up of a few seconds weighs on the small sizes).",
        "",
        "The marginal cost is the dbt run's wall time above a smaller panel's (what is fixed: "
        "dbt's start-up, parse and small models), per million observations above it: above the "
        "smallest panel's, and above the first panel of a million observations or more, from "
        "where the linear-growth target measures (issue 16: linear growth from 1 M to 30 M). "
        "The hand-written statement's marginal cost is shown beside it.",
        "",
        "| observations | dbt run wall s / million | marginal wall s / million above "
        f"{first.panel.observations:,} | above {f'{base.panel.observations:,}' if base else '1 M'} "
        "| CPU s / million | hand SQL wall s / million | marginal above the same | CPU s / million |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {s.panel.observations:,} | {_per_million(s.dbt_run.wall_s, s)} | "
            f"{_shown(marginal, s)} | {_shown(linear, s)} | "
            f"{_per_million(s.dbt_run.cpu_s, s)} | {_per_million(s.handwritten.wall_s, s)} | "
            f"{_shown(hand_linear, s)} | {_per_million(s.handwritten.cpu_s, s)} |"
            for s in results
        ),
        "",
        *_full_default_lines(results),
        *_spark_lines(results),
    ]
    spread, spread_from_smallest = _spread(linear), _spread(marginal)
    targets += [
        (
            f"scale: dbt within 2x hand-written SQL at {last.panel.observations:,}",
            f"{last.ratio:.2f}x ({last.dbt_run.wall_s:.1f} s vs {last.handwritten.wall_s:.1f} s)",
            last.ratio <= 2,
        ),
        (
            "scale: peak memory under 4 GiB",
            f"{peak / GIB:.2f} GiB (largest process, any size: dbt run/test, sensitivity part "
            "or hand SQL)",
            peak < 4 * GIB,
        ),
        (
            "scale: linear growth from 1 M to 30 M (marginal cost per million within ±20% at "
            "every size)",
            (
                f"marginal dbt run wall s per million above the {base.panel.observations:,} panel: "
                + ", ".join(f"{m:.2f} at {p.observations:,}" for p, m in linear.items())
                + f"; largest deviation from their median {spread:.0%} (above the smallest "
                f"panel, {first.panel.observations:,}: "
                + ", ".join(f"{m:.2f}" for m in marginal.values())
                + f", {spread_from_smallest:.0%}; the hand-written statement's above "
                f"{base.panel.observations:,}: {_spread(hand_linear):.0%})"
            )
            if spread is not None
            else "needs three sizes of 1 M observations or more",
            spread is not None and spread <= 0.2,
        ),
    ]
    return lines
