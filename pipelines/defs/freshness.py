"""A source's cadence as a Dagster FreshnessPolicy: red in the UI once the last fetch is overdue."""

from datetime import timedelta

import dagster as dg

from sources.source import Cadence


def overdue_after(cadence: Cadence) -> timedelta:
    """How old a source's last fetch may be: the policy's window, and `citydip status`'s."""
    return timedelta(days=cadence.overdue_after_days)


def freshness_policy(cadence: Cadence) -> dg.FreshnessPolicy:
    """Fails once the last materialisation is older than the cadence's overdue_after_days."""
    return dg.FreshnessPolicy.time_window(fail_window=overdue_after(cadence))
