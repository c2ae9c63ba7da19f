{#- The staging shape every source shares: the observation contract with explicit types. -#}
{% macro stage_observations(source_table) -%}
select
    cast(source_id as varchar) as source_id,
    cast(indicator_id as varchar) as indicator_id,
    cast(geo_id as varchar) as geo_id,
    cast(geo_level as varchar) as geo_level,
    cast(period as integer) as period,
    cast(value as double) as value,
    cast(unit as varchar) as unit,
    cast(fetched_at as timestamp with time zone) as fetched_at,
    cast(payload_sha256 as varchar) as payload_sha256,
    cast(approximate as boolean) as approximate
from {{ source('raw', source_table) }}
{%- endmacro %}
