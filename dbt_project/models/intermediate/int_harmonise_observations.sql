-- Step 1, harmonise: every scored observation as a value per city, indicator and year in one
-- unit. Where the registry names a `denominator` (e.g. population), the value is divided by the
-- denominator's observation for the same geography and year (no denominator, no value). City and
-- metro figures are the city's own; a country figure stands in for its cities and is flagged
-- `is_proxy`, except for city-states (Hong Kong, Singapore) where it is the city's own figure.
-- A city figure wins over a country figure for the same indicator and year.
with registry as (
    select indicator_id, unit, observation_unit, denominator
    from {{ ref('dim_indicator') }}
    where pillar is not null
),

observations as (
    select * from {{ ref('fct_observation') }}
),

denominators as (
    select indicator_id as denominator, geo_id, period, value as denominator_value
    from observations
    where indicator_id in (select denominator from registry)
    qualify row_number() over (
        partition by indicator_id, geo_id, period order by source_id
    ) = 1
),

harmonised as (
    select
        o.indicator_id,
        o.geo_id,
        o.geo_level,
        o.period,
        o.value as observed_value,
        o.unit as observation_unit,
        r.observation_unit as registry_unit,
        r.denominator,
        d.denominator_value,
        case
            when r.denominator is null then o.value
            else o.value / nullif(d.denominator_value, 0)
        end as value,
        r.unit,
        o.source_id,
        o.payload_sha256,
        o.approximate as is_approximate
    from observations as o
    inner join registry as r on r.indicator_id = o.indicator_id
    left join denominators as d
        on d.denominator = r.denominator and d.geo_id = o.geo_id and d.period = o.period
),

-- a city's own figures, then its country's (two equi-joins: fast at any number of cities)
city_figures as (
    select c.city_id, false as is_proxy, h.*
    from harmonised as h
    inner join {{ ref('dim_city') }} as c on h.geo_id = c.city_id
    where h.geo_level in ('city', 'metro')
),

country_figures as (
    select c.city_id, not c.is_city_state as is_proxy, h.*
    from harmonised as h
    inner join {{ ref('dim_city') }} as c on h.geo_id = c.country_iso3
    where h.geo_level = 'country'
),

city_values as (
    select * from city_figures
    union all
    select * from country_figures
)

select
    city_id,
    indicator_id,
    period,
    value,
    unit,
    observed_value,
    observation_unit,
    registry_unit,
    denominator,
    denominator_value,
    geo_id,
    geo_level,
    is_proxy,
    source_id,
    payload_sha256,
    is_approximate
from city_values
where value is not null
qualify row_number() over (
    partition by city_id, indicator_id, period
    order by (geo_level = 'country'), (geo_level = 'metro'), source_id
) = 1
