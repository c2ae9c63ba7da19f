"""Statistical audit, sensitivity: Sobol first-order and total-effect indices (SALib, Saltelli
sampling, bootstrap confidence intervals) of every uncertain input of the uncertainty analysis
(each weight, the normalisation, the imputation, the aggregation, the indicator left out) on
each ranked city's rank and on the average rank shift, per year.

The sampling is cached by its inputs: a year whose panel, settings and code hash to a digest
already in this table's previous build keeps those rows instead of sampling again.
pipelines/audit/tables.py
"""

from pipelines.audit.marts import Marts
from pipelines.audit.tables import SobolSettings, sobol_table


def previous_build(dbt, session):
    """This table as the last build left it (dbt-duckdb builds the new one beside it)."""
    found = session.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = ? and table_schema = ? and table_name = ?",
        [dbt.this.database, dbt.this.schema, dbt.this.identifier],
    ).fetchall()[0][0]
    return session.sql(f"select * from {dbt.this}").df() if found else None


def model(dbt, session):
    marts = Marts(
        indicators=dbt.ref("scorecard_indicator").df(),
        pillars=dbt.ref("scorecard_pillar").df(),
        cities=dbt.ref("scorecard_city").df(),
        registry=dbt.ref("dim_indicator").df(),
        pillar_registry=dbt.ref("dim_pillar").df(),
    )
    settings = SobolSettings(
        base_samples=int(dbt.config.get("base_samples")),
        seed=int(dbt.config.get("seed")),
        resamples=int(dbt.config.get("resamples")),
        weight_jitter=float(dbt.config.get("weight_jitter")),
        normalisation=dbt.config.get("normalisation"),
        aggregation=dbt.config.get("aggregation"),
    )
    return sobol_table(marts, settings, previous_build(dbt, session))
