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

Staleness is read from public records, by the rules of Dagster's own stale status: every
materialisation carries its data provenance as tags (its data version, its code version, the data
version of each input it was built from), compared with the asset specs' code versions and the
inputs' current data versions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import dagster as dg

# The data provenance Dagster writes on every materialisation, as tags.
DATA_VERSION_TAG = "dagster/data_version"
CODE_VERSION_TAG = "dagster/code_version"
INPUT_VERSION_TAG = "dagster/input_data_version/"  # + the input's asset key
USER_PROVIDED_TAG = "dagster/data_version_is_user_provided"
# Dagster's data version of an asset materialised without one.
INITIAL_DATA_VERSION = "INITIAL"


@dataclass(frozen=True)
class RefreshPlan:
    """The assets phase 2 materialises, and why each root is in it."""

    rebuild: frozenset[dg.AssetKey]
    reasons: dict[dg.AssetKey, str]

    def describe(self) -> list[str]:
        return [f"{key.to_user_string()}: {why}" for key, why in sorted(self.reasons.items())]


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
    specs = {spec.key: spec for spec in defs.resolve_all_asset_specs()}
    last = last_materialisations(instance, specs)
    children = _children(specs.values())
    candidates = set(candidates)
    excluded = set(blocked)
    for key in list(excluded):
        if key not in last:
            excluded |= _descendants(children, [key], candidates)
    reasons: dict[dg.AssetKey, str] = {}
    for key in sorted(candidates - excluded):
        if key in set(missing):
            reasons[key] = "absent from storage"
        elif key not in last:
            reasons[key] = "never materialised"
        elif causes := stale_causes(specs, last, key):
            reasons[key] = "; ".join(causes)
    rebuild = set(reasons) | _descendants(children, reasons, candidates - excluded)
    return RefreshPlan(rebuild=frozenset(rebuild), reasons=reasons)


def last_materialisations(
    instance: dg.DagsterInstance, specs: Mapping[dg.AssetKey, dg.AssetSpec]
) -> dict[dg.AssetKey, dg.EventLogRecord]:
    """The latest materialisation of every asset materialised at least once."""
    return {
        record.asset_entry.asset_key: record.asset_entry.last_materialization_record
        for record in instance.get_asset_records(list(specs))
        if record.asset_entry.last_materialization_record is not None
    }


def stale_causes(
    specs: Mapping[dg.AssetKey, dg.AssetSpec],
    last: Mapping[dg.AssetKey, dg.EventLogRecord],
    key: dg.AssetKey,
) -> list[str]:
    """Why the last materialisation of `key` is out of date ("<asset> <reason>", the root causes
    of Dagster's stale status); none when it is fresh."""
    spec, built = specs[key], last[key]
    tags = _tags(built)
    inputs = sorted(dep.asset_key for dep in spec.deps)
    name = key.to_user_string()
    if CODE_VERSION_TAG not in tags:  # no provenance (e.g. reported by hand): judged by time
        return [f"{name} has a new input" for dep in inputs if dep not in last] + [
            f"{dep.to_user_string()} has a new materialization"
            for dep in inputs
            if dep in last and last[dep].timestamp > built.timestamp
        ]
    recorded = {
        dg.AssetKey.from_user_string(tag.removeprefix(INPUT_VERSION_TAG)): version
        for tag, version in tags.items()
        if tag.startswith(INPUT_VERSION_TAG)
    }
    causes = []
    if spec.code_version and spec.code_version != tags[CODE_VERSION_TAG]:
        causes.append(f"{name} has a new code version")
    for dep in sorted(set(recorded) | set(inputs)):
        if dep not in inputs:
            causes.append(f"{name} removed dependency on {dep.to_user_string()}")
        elif dep not in recorded:
            causes.append(f"{name} has a new dependency on {dep.to_user_string()}")
    for dep in inputs:
        if dep in recorded and _changed(recorded[dep], last.get(dep)):
            causes.append(f"{dep.to_user_string()} has {_news(specs[dep], last.get(dep))}")
    return causes


def _changed(recorded: str, current: dg.EventLogRecord | None) -> bool:
    """Whether an input's data version differs from the one recorded; an input recorded without
    a data version and never materialised since is unchanged, as Dagster has it."""
    if current is None:
        return recorded != INITIAL_DATA_VERSION
    return recorded != _tags(current).get(DATA_VERSION_TAG, INITIAL_DATA_VERSION)


def _news(spec: dg.AssetSpec, current: dg.EventLogRecord | None) -> str:
    """A new data version where the input versions its data (a code version or a data version
    of its own), else a new materialisation: Dagster's wording."""
    own = current is not None and _tags(current).get(USER_PROVIDED_TAG) == "true"
    return "a new data version" if spec.code_version or own else "a new materialization"


def _tags(record: dg.EventLogRecord) -> Mapping[str, str]:
    return record.event_log_entry.asset_materialization.tags or {}


def _children(specs: Iterable[dg.AssetSpec]) -> dict[dg.AssetKey, set[dg.AssetKey]]:
    children: dict[dg.AssetKey, set[dg.AssetKey]] = {}
    for spec in specs:
        for dep in spec.deps:
            children.setdefault(dep.asset_key, set()).add(spec.key)
    return children


def _descendants(children, roots: Iterable[dg.AssetKey], within: set[dg.AssetKey]) -> set:
    found: set[dg.AssetKey] = set()
    frontier = list(roots)
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child in within and child not in found:
                found.add(child)
                frontier.append(child)
    return found
