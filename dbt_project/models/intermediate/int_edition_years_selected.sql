-- Step 2, select the edition year and apply the indicator coverage rule. The scorecard years are
-- the years of scored observations from `first_year` on (a denominator's projections or a
-- context series never make a year). For each year Y and indicator, the edition year is the
-- latest year, at most `max_data_age` years before Y, in which at least `min_indicator_coverage`
-- of the cities have a value (else the latest year with any value). Every city takes its value
-- of that one edition year, so years are never mixed across cities silently: a city without one
-- is missing here, and step 4 may impute it (flagged). The indicator is scored in year Y only
-- when enough cities have a value in its edition year; otherwise every value of it is dropped
-- for that year, with the reason (`indicator_not_scored_reason`).
-- One row per year, city and scored indicator, so every gap is explicit.
-- A view: its rows are stored once, by int_values_normalised (bench/FINDINGS.md).
{{ config(materialized='view') }}
-- int_observations_harmonised is read by ref, not through a CTE: DuckDB would store a copy of a
-- CTE read more than once (bench/FINDINGS.md)
with
-- only the cities scored (int_cities_admitted) count: a city without data never lowers coverage
admitted as (
    select city_id from {{ ref('int_cities_admitted') }}
    where is_scored
),

city_count as (
    select count(*) as cities from admitted
),

years as (
    select distinct period as year
    from {{ ref('int_observations_harmonised') }}
    where
        period >= {{ var('first_year') }}
        and city_id in (select a.city_id from admitted as a)
),

cities_per_period as (
    -- one row per city, indicator and period (a tested key of int_observations_harmonised)
    select indicator_id, period, count(*) as cities_observed
    from {{ ref('int_observations_harmonised') }}
    where city_id in (select a.city_id from admitted as a)
    group by indicator_id, period
),

candidates as (
    select
        y.year,
        p.indicator_id,
        p.period,
        p.cities_observed,
        p.cities_observed >= {{ var('min_indicator_coverage') }} * c.cities as enough_cities
    from years as y
    cross join city_count as c
    inner join cities_per_period as p
        on p.period <= y.year and p.period >= y.year - {{ var('max_data_age') }}
),

ranked_candidates as (
    select
        *,
        row_number() over (
            partition by year, indicator_id order by enough_cities desc, period desc
        ) as preference
    from candidates
),

editions as (
    select
        year,
        indicator_id,
        period as edition_year,
        cities_observed,
        enough_cities as is_indicator_scored
    from ranked_candidates
    where preference = 1
),

grid as (
    select y.year, c.city_id, i.pillar, i.indicator_id, i.direction, i.weight
    from years as y
    cross join admitted as c
    cross join {{ ref('int_indicators_classified') }} as i
    where i.is_scored
)

select
    g.year,
    g.city_id,
    g.pillar,
    g.indicator_id,
    g.direction,
    g.weight,
    e.edition_year,
    coalesce(e.is_indicator_scored, false) as is_indicator_scored,
    case
        when e.edition_year is null
            then 'no data within max_data_age ({{ var("max_data_age") }} years)'
        when not e.is_indicator_scored
            then
                cast(e.cities_observed as string) || ' of ' || cast(cc.cities as string)
                || ' cities observed in ' || cast(e.edition_year as string)
                || ', below min_indicator_coverage {{ var("min_indicator_coverage") }}'
    end as indicator_not_scored_reason,
    case when e.is_indicator_scored then h.value end as raw_value,
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
cross join city_count as cc
left join editions as e on e.year = g.year and e.indicator_id = g.indicator_id
left join {{ ref('int_observations_harmonised') }} as h
    on h.city_id = g.city_id and h.indicator_id = g.indicator_id and h.period = e.edition_year
