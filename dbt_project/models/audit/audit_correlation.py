"""Statistical audit, coherence: Pearson's r of every pair of the year's components (indicator
scores, pillar scores, the overall score) over the cities where both have a value, flagged:
negative inside a pillar, collinear inside a pillar (|r| > audit_collinear_threshold), silent
(a component's r with its own aggregate below audit_silent_threshold). pipelines/audit/tables.py
"""

from pipelines.audit.marts import Marts
from pipelines.audit.tables import correlation_table


def model(dbt, session):
    marts = Marts(
        indicators=dbt.ref("scorecard_indicator").df(),
        pillars=dbt.ref("scorecard_pillar").df(),
        cities=dbt.ref("scorecard_city").df(),
        registry=dbt.ref("dim_indicator").df(),
        pillar_registry=dbt.ref("dim_pillar").df(),
    )
    return correlation_table(
        marts,
        collinear=float(dbt.config.get("collinear_threshold")),
        silent=float(dbt.config.get("silent_threshold")),
    )
