-- For each scorecard year, city and scored indicator: the latest value at most `max_data_age`
-- years old. City or metro figures are used as they are; a country figure stands in for its
-- cities and is flagged `is_proxy` unless the city is a city-state (Hong Kong, Singapore).
with years as (
    select distinct period as year
    from {{ ref('fct_observation') }}
    where period >= {{ var('first_year') }}
),

scored as (
    select * from {{ ref('dim_indicator') }} where pillar is not null
),

candidates as (
    select
        c.city_id,
        o.indicator_id,
        o.period,
        o.value,
        o.source_id,
        o.payload_sha256,
        o.approximate,
        o.geo_level,
        (o.geo_level = 'country' and not c.is_city_state) as is_proxy
    from {{ ref('fct_observation') }} as o
    inner join {{ ref('dim_city') }} as c
        on (o.geo_level in ('city', 'metro') and o.geo_id = c.city_id)
        or (o.geo_level = 'country' and o.geo_id = c.country_iso3)
    inner join scored as i on i.indicator_id = o.indicator_id
)

select
    y.year,
    k.city_id,
    k.indicator_id,
    k.period as data_year,
    k.value as raw_value,
    k.source_id,
    k.payload_sha256,
    k.approximate as is_approximate,
    k.is_proxy
from years as y
inner join candidates as k
    on k.period <= y.year and k.period > y.year - 1 - {{ var('max_data_age') }}
qualify row_number() over (
    partition by y.year, k.city_id, k.indicator_id
    order by k.period desc, (k.geo_level = 'country')
) = 1
