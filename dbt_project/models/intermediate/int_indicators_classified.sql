-- The indicator registry (seed `indicators`), classified: each indicator scored in its pillar or
-- context (no pillar), a national-host proxy or not, and the unit its values are scored in (per
-- resident where the registry names the city's population as denominator). The method steps read
-- the registry from here; dim_indicator publishes it. Var `indicator_weights` overrides weights.
select
    indicator_id,
    name,
    pillar,
    case
        when denominator is null then unit
        when denominator = 'city_population' then unit || ' per resident'
        else unit || ' per ' || denominator
    end as unit,
    direction,
    {%- set weights = var('indicator_weights', {}) %}
    {%- if weights %}
    cast(
        case indicator_id
            {%- for indicator, w in weights.items() %}
            when '{{ indicator }}' then {{ w | float }}
            {%- endfor %}
            else weight
        end as double
    ) as weight,
    {%- else %}
    cast(weight as double) as weight,
    {%- endif %}
    source_id,
    description,
    unit as observation_unit,
    denominator,
    geography,
    min_value,
    max_value,
    pillar is not null as is_scored,
    geography = 'national_host' as is_national_host_proxy
from {{ ref('indicators') }}
