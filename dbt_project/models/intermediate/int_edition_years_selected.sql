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
-- A view on DuckDB: its rows are stored once, by int_values_normalised (bench/FINDINGS.md); a
-- table on Spark (macro step_materialization).
{{ config(materialized=step_materialization()) }}
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

-- every year and scored indicator, with its edition (none without data within max_data_age)
indicator_years as (
    select
        y.year,
        i.pillar,
        i.indicator_id,
        i.direction,
        i.weight,
        e.edition_year,
        e.cities_observed,
        coalesce(e.is_indicator_scored, false) as is_indicator_scored
    from years as y
    cross join {{ ref('int_indicators_classified') }} as i
    left join editions as e on e.year = y.year and e.indicator_id = i.indicator_id
    where i.is_scored
),

-- each city's value in the edition year. The small indicator_years leads the join, so the panel
-- streams through it; a grid of every year, city and indicator left-joined to the panel hashed
-- the whole grid (30 s of spilling at 30 M rows, bench/FINDINGS.md)
observed as (
    select
        iy.year,
        iy.indicator_id,
        h.city_id,
        h.value,
        h.unit,
        h.period,
        h.observed_value,
        h.denominator_value,
        h.geo_level,
        h.is_proxy,
        h.is_approximate,
        h.source_id,
        h.payload_sha256
    from indicator_years as iy
    inner join {{ ref('int_observations_harmonised') }} as h
        on h.indicator_id = iy.indicator_id and h.period = iy.edition_year
    where h.city_id in (select a.city_id from admitted as a)
),

-- the years and indicators whose edition misses a city: only these have gap rows
incomplete as (
    select iy.year, iy.indicator_id, iy.edition_year
    from indicator_years as iy
    cross join city_count as c
    where coalesce(iy.cities_observed, 0) < c.cities
),

present_where_incomplete as (
    select p.year, p.indicator_id, h.city_id
    from incomplete as p
    inner join {{ ref('int_observations_harmonised') }} as h
        on h.indicator_id = p.indicator_id and h.period = p.edition_year
),

missing as (
    select p.year, p.indicator_id, a.city_id
    from incomplete as p
    cross join admitted as a
    left join present_where_incomplete as o
        on o.year = p.year and o.indicator_id = p.indicator_id and o.city_id = a.city_id
    where o.city_id is null
),

city_indicator_years as (
    select * from observed
    union all
    select
        year,
        indicator_id,
        city_id,
        cast(null as double) as value,
        cast(null as string) as unit,
        cast(null as integer) as period,
        cast(null as double) as observed_value,
        cast(null as double) as denominator_value,
        cast(null as string) as geo_level,
        cast(null as boolean) as is_proxy,
        cast(null as boolean) as is_approximate,
        cast(null as string) as source_id,
        cast(null as string) as payload_sha256
    from missing
)

select
    iy.year,
    v.city_id,
    iy.pillar,
    iy.indicator_id,
    iy.direction,
    iy.weight,
    iy.edition_year,
    iy.is_indicator_scored,
    case
        when iy.edition_year is null
            then 'no data within max_data_age ({{ var("max_data_age") }} years)'
        when not iy.is_indicator_scored
            then
                cast(iy.cities_observed as string) || ' of ' || cast(cc.cities as string)
                || ' cities observed in ' || cast(iy.edition_year as string)
                || ', below min_indicator_coverage {{ var("min_indicator_coverage") }}'
    end as indicator_not_scored_reason,
    case when iy.is_indicator_scored then v.value end as raw_value,
    v.unit,
    v.period as data_year,
    v.observed_value,
    v.denominator_value,
    v.geo_level,
    v.is_proxy,
    v.is_approximate,
    v.source_id,
    v.payload_sha256
from city_indicator_years as v
inner join indicator_years as iy on iy.year = v.year and iy.indicator_id = v.indicator_id
cross join city_count as cc
