{#-
    The enforced contract of a model with one `<pillar>_score` column (double) per row of seed
    `pillars`, which a static dbt contract cannot list (scorecard_city): its columns are exactly
    those its YAML declares, of the declared data types, and those. Fails with one row per column
    missing, mistyped or not declared.
-#}
{% test contract_with_a_score_column_per_pillar(model) %}
{%- set declared = graph.nodes['model.' ~ project_name ~ '.' ~ model.identifier].columns.values()
    if execute else [] %}
with expected as (
    {%- for column in declared %}
    select '{{ column.name }}' as column_name, '{{ reported_type(column.data_type) }}' as data_type
    union all
    {%- endfor %}
    select pillar || '_score' as column_name, 'DOUBLE' as data_type
    from {{ ref('pillars') }}
),

actual as (
    {{ relation_columns_sql(model) }}
)

(select 'missing or mistyped' as problem, * from expected except select 'missing or mistyped', * from actual)
union all
(select 'not declared' as problem, * from actual except select 'not declared', * from expected)
{% endtest %}
