"""Write bench/RESULTS.md: the machine, the four benchmarks, the targets, and the findings."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.refresh import RefreshResults
from bench.scale import ScaleResult

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


def _load(values) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def _refresh_section(r: RefreshResults, targets: list, problems: list) -> list[str]:
    cold, bare = r.summary("cold"), r.summary("bare_dbt")
    unchanged, changed = r.summary("unchanged"), r.summary("changed")
    ratio = cold.wall_s / bare.wall_s
    cpu_ratio = cold.cpu_s / bare.cpu_s
    share = unchanged.wall_s / cold.wall_s
    rebuilt_unchanged = [sorted(b & r.dbt_models) for b in r.built["unchanged"]]
    rebuilt_changed = [b & r.dbt_models for b in r.built["changed"]]
    curated_downstream = {
        "staging/stg_curated__observations",
        "intermediate/int_select_city_values",
        "fct_observation",
        "scorecard_indicator",
        "scorecard_pillar",
        "scorecard_city",
    }
    other = [sorted(b - curated_downstream) for b in rebuilt_changed]
    if any(rebuilt_unchanged):
        problems.append(f"a no-change refresh rebuilt dbt models: {rebuilt_unchanged}")
    if any(
        k.startswith("raw/") or k == "published_warehouse" for b in r.built["unchanged"] for k in b
    ):
        problems.append("a no-change refresh reloaded a raw table or republished")
    if any(other):
        problems.append(f"a curated-only change rebuilt models outside its downstream: {other}")
    cards = sorted({k for b in r.built["unchanged"] for k in b if k.startswith("cards")})
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
            "one source changed: only its downstream rebuilt",
            f"{len(rebuilt_changed[0])} of {len(r.dbt_models)} dbt models "
            f"(curated's staging model and its descendants)",
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
        "## 1-3. Refresh (snapshot sources, 2 sources, 9 cities)",
        "",
        "Each round: a cold `citydip refresh` (fresh `CITYDIP_HOME` and `DAGSTER_HOME`), a bare "
        "`dbt build` on a copy of the working database that refresh loaded (same project, same "
        "raw tables, same partial-parse state), a second refresh with nothing changed, and a "
        f"third with the curated source changed (served live by a local mirror: the real "
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
        f"({'no cards asset on this branch' if not any(k.startswith('cards') for b in r.built['cold'] for k in b) else 'cards asset present'}).",
        "",
    ]


def _scale_section(results: list[ScaleResult], targets: list, problems: list) -> list[str]:
    lines = [
        "## 4. Scale (synthetic panel, the real dbt models vs one hand-written statement)",
        "",
        "`bench/generate.py` writes N cities x M indicators x Y years (fixed seed) as "
        "`raw.<source>_observations` tables and synthetic `cities`/`indicators` seeds; a copy of "
        "the dbt project whose models, macros and tests are the real files runs on them "
        "(`--vars {first_year: 1996}` so all 30 years are scored). `dbt run` (models only, "
        "seeds loaded beforehand) is compared with `bench/handwritten_scorecard.sql`, one "
        "DuckDB statement creating the same `scorecard_city`, each in its own process with the "
        "same DuckDB settings; `dbt test` is timed apart. Both results are compared row by row.",
        "",
        "| observations | cities x ind. x years | dbt run s | CPU s | RSS MiB | hand SQL s | CPU s "
        "| RSS MiB | ratio | dbt test s | test RSS MiB | same scorecard |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in results:
        test = s.dbt_test
        tested = f"{test.wall_s:.1f} | {test.peak_rss_mib:.0f}" if test else "not run | —"
        lines.append(
            f"| {s.panel.observations:,} | {s.panel.cities:,} x {s.panel.indicators} x "
            f"{s.panel.years} | {s.dbt_run.wall_s:.1f} | {s.dbt_run.cpu_s:.1f} | "
            f"{s.dbt_run.peak_rss_mib:.0f} | {s.handwritten.wall_s:.1f} | "
            f"{s.handwritten.cpu_s:.1f} | {s.handwritten.peak_rss_mib:.0f} | {s.ratio:.2f} | "
            f"{tested} | {'yes' if s.agrees else 'NO'} ({s.rows:,} rows, "
            f"max diff {s.max_score_diff or 0:.1e}) |"
        )
        if not s.agrees:
            problems.append(
                f"dbt and the hand-written scorecard disagree at {s.panel.observations:,}: "
                f"{s.unmatched} unmatched rows, {s.rank_mismatches} ranks, diff {s.max_score_diff}"
            )
    first, last = results[0], results[-1]
    before_last = results[-2] if len(results) > 1 else first
    cpu_per_obs = [s.dbt_run.cpu_s / s.panel.observations for s in (before_last, last)]
    growth = last.panel.observations / first.panel.observations
    dbt_growth = last.dbt_run.wall_s / first.dbt_run.wall_s
    hand_growth = last.handwritten.wall_s / first.handwritten.wall_s
    peak = max(
        max(
            s.dbt_run.peak_rss_mib,
            s.handwritten.peak_rss_mib,
            s.dbt_test.peak_rss_mib if s.dbt_test else 0,
        )
        for s in results
    )
    lines += [
        "",
        f"Growth from {first.panel.observations:,} to {last.panel.observations:,} observations "
        f"({growth:.0f}x): dbt run {dbt_growth:.1f}x, hand-written SQL {hand_growth:.1f}x "
        "(dbt's fixed start-up of a few seconds weighs on the small sizes).",
        "",
        "| observations | dbt run wall s / million | CPU s / million | hand SQL wall s / "
        "million | CPU s / million |",
        "|---|---|---|---|---|",
        *(
            f"| {s.panel.observations:,} | {_per_million(s.dbt_run.wall_s, s)} | "
            f"{_per_million(s.dbt_run.cpu_s, s)} | {_per_million(s.handwritten.wall_s, s)} | "
            f"{_per_million(s.handwritten.cpu_s, s)} |"
            for s in results
        ),
        "",
    ]
    optional = next((s for s in results if s.optional is not None), None)
    if optional:
        lines += [
            f"Models timed apart ({', '.join(optional.optional_models)}) at "
            f"{optional.panel.observations:,} observations: {optional.optional.wall_s:.1f} s, "
            f"peak RSS {optional.optional.peak_rss_mib:.0f} MiB.",
            "",
        ]
    else:
        lines += ["No sensitivity or contribution model on this branch; none timed apart.", ""]
    targets += [
        (
            f"scale: dbt within 2x hand-written SQL at {last.panel.observations:,}",
            f"{last.ratio:.2f}x ({last.dbt_run.wall_s:.1f} s vs {last.handwritten.wall_s:.1f} s)",
            last.ratio <= 2,
        ),
        (
            "scale: peak memory under 4 GiB",
            f"{peak / GIB:.2f} GiB (largest process, any size, dbt run/test or hand SQL)",
            peak < 4 * GIB,
        ),
        (
            "scale: linear growth",
            f"{growth:.0f}x observations -> {dbt_growth:.1f}x dbt run wall time; dbt CPU per "
            f"million {cpu_per_obs[0] * 1e6:.2f} s at {before_last.panel.observations:,} and "
            f"{cpu_per_obs[1] * 1e6:.2f} s at {last.panel.observations:,}",
            dbt_growth <= growth * 1.25 and cpu_per_obs[1] <= cpu_per_obs[0] * 1.25,
        ),
    ]
    return lines
