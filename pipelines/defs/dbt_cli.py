"""The dbt CLI resource, without the two start-ups dagster-dbt adds around every `dbt build`.

dagster-dbt's DbtCliResource, before each invocation, (1) runs `dbt --version` in a subprocess
to learn the CLI's version (a full dbt start-up, ~2-4 s here) and (2) builds a dbt adapter
in-process, used only to fetch column metadata and row counts (~1-2 s). citydip runs the dbt of
its own environment, so the installed dbt-core's version is the CLI's version, and it fetches
neither column metadata nor row counts. Both are measured in bench/RESULTS.md.

tests/pipelines/test_dbt_cli.py fails if dagster-dbt renames the two members overridden here.
"""

from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource
from packaging import version


class DbtCli(DbtCliResource):
    """DbtCliResource for the dbt installed beside citydip."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - same signature as the base
        return None
