"""Statistical audit, importance: per year, each indicator's and pillar's nominal weight beside
its effective weight (squared correlation with the aggregate, normalised), in its pillar and in
the overall score, with its PC1 loading. pipelines/audit/effective_weights.py
"""

from pipelines.audit.marts import Marts
from pipelines.audit.tables import effective_weight_table


def model(dbt, session):
    marts = Marts(
        indicators=dbt.ref("scorecard_indicator").df(),
        pillars=dbt.ref("scorecard_pillar").df(),
        cities=dbt.ref("scorecard_city").df(),
        registry=dbt.ref("dim_indicator").df(),
        pillar_registry=dbt.ref("dim_pillar").df(),
    )
    return effective_weight_table(marts, silent=float(dbt.config.get("silent_threshold")))
