"""What a refresh rebuilds: the assets whose inputs or code changed since their last
materialisation, and everything downstream of them.

`citydip refresh` runs in two phases. Phase 1 fetches and lands every payload and runs its blocking
schema check; a payload's data version is its sha256. Phase 2 materialises only what this module
finds stale, judged by Dagster's data versions and code versions on the instance:

- raw/<source>_observations is stale when its payload's data version differs from the one it was
  loaded from;
- a dbt model is stale when its code version (SQL checksum plus the project fingerprint of
  pipelines/defs/dbt_fingerprint.py) or the data version of one of its inputs changed;
- an asset never materialised is missing, and every asset of a missing working database is too.

The stale and missing assets are the roots; everything downstream of a root is rebuilt with it
(a root's descendants only become stale in Dagster's eyes once the root has been rebuilt). With
no source changed there are no roots: no load, no dbt invocation, no publish, no card.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import dagster as dg
from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView, TemporalContext
from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
from dagster._time import get_current_datetime


@dataclass(frozen=True)
class RefreshPlan:
    """The assets phase 2 materialises, and why each root is in it."""

    rebuild: frozenset[dg.AssetKey]
    reasons: dict[dg.AssetKey, str]

    def describe(self) -> list[str]:
        return [f"{key.to_user_string()}: {why}" for key, why in sorted(self.reasons.items())]


def stale_status_resolver(
    instance: dg.DagsterInstance, defs: dg.Definitions
) -> CachingStaleStatusResolver:
    graph = defs.resolve_asset_graph()
    view = AssetGraphView(
        temporal_context=TemporalContext(effective_dt=get_current_datetime(), last_event_id=None),
        instance=instance,
        asset_graph=graph,
    )
    return CachingStaleStatusResolver(instance=instance, asset_graph=graph, loading_context=view)


def plan_rebuild(
    instance: dg.DagsterInstance,
    defs: dg.Definitions,
    candidates: Collection[dg.AssetKey],
    *,
    blocked: Iterable[dg.AssetKey] = (),
    missing: Iterable[dg.AssetKey] = (),
) -> RefreshPlan:
    """Plan phase 2 among `candidates`.

    `blocked`: assets whose upstream blocking check failed in phase 1; they keep their last good
    materialisation (and when they have none, nothing downstream of them can be built).
    `missing`: assets known to be absent from storage whatever the instance says (e.g. a deleted
    working database).
    """
    graph = defs.resolve_asset_graph()
    resolver = stale_status_resolver(instance, defs)
    candidates = set(candidates)
    excluded = set(blocked)
    for key in list(excluded):
        if resolver.get_status(key) == StaleStatus.MISSING:
            excluded |= _descendants(graph, [key], candidates)
    reasons: dict[dg.AssetKey, str] = {}
    for key in sorted(candidates - excluded):
        if key in set(missing):
            reasons[key] = "absent from storage"
            continue
        status = resolver.get_status(key)
        if status == StaleStatus.MISSING:
            reasons[key] = "never materialised"
        elif status == StaleStatus.STALE:
            causes = resolver.get_stale_root_causes(key)
            reasons[key] = "; ".join(
                f"{cause.asset_key.to_user_string()} {cause.reason}" for cause in causes
            )
    rebuild = set(reasons) | _descendants(graph, reasons, candidates - excluded)
    return RefreshPlan(rebuild=frozenset(rebuild), reasons=reasons)


def _descendants(graph, roots: Iterable[dg.AssetKey], within: set[dg.AssetKey]) -> set:
    found: set[dg.AssetKey] = set()
    frontier = list(roots)
    while frontier:
        for child in graph.get(frontier.pop()).child_keys:
            if child in within and child not in found:
                found.add(child)
                frontier.append(child)
    return found
