-- For each scorecard year, city and scored indicator: the latest value at most `max_data_age`
-- years old. City or metro figures are used as they are; a country figure stands in for its
-- cities and is flagged `is_proxy` unless the city is a city-state (Hong Kong, Singapore).
--
-- How, so that it stays linear in the observations (bench/RESULTS.md): each value serves from
-- its own year until the year before the next value of the same city and indicator, and for at
-- most `max_data_age` years; one range join to the years then gives exactly one row per year,
-- city and indicator. A country figure is ordered before the city's own figure of the same year,
-- so it serves no year when the city has its own.
with years as (
    select distinct period as year
    from {{ ref('fct_observation') }}
    where period >= {{ var('first_year') }}
),

scored as (
    select * from {{ ref('dim_indicator') }} where pillar is not null
),

located as (
    select c.city_id, false as is_proxy, o.*
    from {{ ref('fct_observation') }} as o
    inner join {{ ref('dim_city') }} as c
        on o.geo_level in ('city', 'metro') and o.geo_id = c.city_id
    union all
    select c.city_id, not c.is_city_state as is_proxy, o.*
    from {{ ref('fct_observation') }} as o
    inner join {{ ref('dim_city') }} as c
        on o.geo_level = 'country' and o.geo_id = c.country_iso3
),

candidates as (
    select
        o.city_id,
        o.indicator_id,
        o.period,
        o.value,
        o.source_id,
        o.payload_sha256,
        o.approximate,
        o.is_proxy,
        least(
            coalesce(lead(o.period) over serving - 1, o.period + {{ var('max_data_age') }}),
            o.period + {{ var('max_data_age') }}
        ) as served_until
    from located as o
    inner join scored as i on i.indicator_id = o.indicator_id
    window serving as (
        partition by o.city_id, o.indicator_id
        order by o.period, (o.geo_level = 'country') desc
    )
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
    on y.year between k.period and k.served_until
