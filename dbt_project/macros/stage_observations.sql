{#- The staging shape every source shares: the observation contract with explicit types. -#}
{% macro stage_observations(source_table) -%}
select
    cast(source_id as string) as source_id,
    cast(indicator_id as string) as indicator_id,
    cast(geo_id as string) as geo_id,
    cast(geo_level as string) as geo_level,
    cast(period as integer) as period,
    cast(value as double) as value,
    cast(unit as string) as unit,
    cast(fetched_at as {{ type_timestamp_tz() }}) as fetched_at,
    cast(payload_sha256 as string) as payload_sha256,
    cast(approximate as boolean) as approximate
from {{ source('raw', source_table) }}
{%- endmacro %}
