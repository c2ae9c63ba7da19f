-- Step 2, select the edition year: for each scorecard year Y and indicator, the edition year is
-- the latest year with data for any city, at most `max_data_age` years before Y. Each city takes
-- its value of that edition year; a city without one is missing here (step 4 may impute it).
-- One row per year, city and scored indicator, so every gap is explicit.
with years as (
    select distinct period as year
    from {{ ref('fct_observation') }}
    where period >= {{ var('first_year') }}
),

harmonised as (
    select * from {{ ref('int_harmonise_observations') }}
),

editions as (
    select y.year, h.indicator_id, max(h.period) as edition_year
    from years as y
    inner join harmonised as h
        on h.period <= y.year and h.period >= y.year - {{ var('max_data_age') }}
    group by y.year, h.indicator_id
),

grid as (
    select y.year, c.city_id, i.pillar, i.indicator_id, i.direction, i.weight
    from years as y
    cross join {{ ref('dim_city') }} as c
    cross join {{ ref('dim_indicator') }} as i
    where i.pillar is not null
)

select
    g.year,
    g.city_id,
    g.pillar,
    g.indicator_id,
    g.direction,
    g.weight,
    e.edition_year,
    h.value as raw_value,
    h.unit,
    h.period as data_year,
    h.observed_value,
    h.denominator_value,
    h.geo_level,
    h.is_proxy,
    h.is_approximate,
    h.source_id,
    h.payload_sha256
from grid as g
left join editions as e on e.year = g.year and e.indicator_id = g.indicator_id
left join harmonised as h
    on h.city_id = g.city_id and h.indicator_id = g.indicator_id and h.period = e.edition_year
