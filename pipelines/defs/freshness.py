"""A source's cadence as a Dagster FreshnessPolicy: red in the UI once the last fetch is overdue."""

from datetime import timedelta

import dagster as dg

from sources.source import Cadence


def freshness_policy(cadence: Cadence) -> dg.FreshnessPolicy:
    """Fails once the last materialisation is older than the cadence's overdue_after_days."""
    return dg.FreshnessPolicy.time_window(fail_window=timedelta(days=cadence.overdue_after_days))
