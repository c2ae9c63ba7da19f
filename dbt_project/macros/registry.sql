{#-
    The pillar keys of seed `pillars`, in the order of its rows: the pillars scorecard_city has a
    `<pillar>_score` column for. Read from the built seed when the model runs (the ref makes dbt
    build the seed first); empty while dbt only parses, and where the seed was never built (the
    `lint` target compiles against an empty database).
-#}
{% macro pillar_keys() -%}
    {%- set pillars = ref('pillars') -%}
    {%- if not execute or load_relation(pillars) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(seed_column_in_file_order(pillars, 'pillar')) }}
{%- endmacro %}
