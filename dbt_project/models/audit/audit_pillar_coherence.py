"""Statistical audit, coherence: per year, Cronbach's alpha and the first principal component's
share of variance of each pillar (over its indicators) and of the overall score (over the
pillars). pipelines/audit/coherence.py
"""

from pipelines.audit.marts import Marts
from pipelines.audit.tables import coherence_table


def model(dbt, session):
    marts = Marts(
        indicators=dbt.ref("scorecard_indicator").df(),
        pillars=dbt.ref("scorecard_pillar").df(),
        cities=dbt.ref("scorecard_city").df(),
        registry=dbt.ref("dim_indicator").df(),
        pillar_registry=dbt.ref("dim_pillar").df(),
    )
    return coherence_table(marts)
