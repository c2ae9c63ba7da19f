-- Step 1, harmonise: every scored observation as a value per city, indicator and year, measured
-- at the city's own geography. The rules (docs/methodology.md, "Geography"):
--   * a city, metro or agglomeration figure is the city's own;
--   * a country figure is the city's own only for a city-state (Hong Kong, Singapore);
--   * otherwise a country figure counts for a city only where the indicator measures a
--     `national_host` thing and seed `national_hosts` names this city as the one host for its
--     country (e.g. the one stock market): flagged `is_proxy`. Every other national figure stays
--     in fct_observation as context and is never scored;
--   * where the registry names a `denominator` (the city's population), a city's own figure is
--     divided by the same city's population of the same year; a proxy is never divided.
-- A city figure wins over a country figure for the same indicator and year.
with registry as (
    select indicator_id, unit, observation_unit, denominator, geography
    from {{ ref('int_indicators_classified') }}
    where is_scored
),

-- a value outside its indicator's bounds (registry min_value, max_value) never enters the
-- scorecard: the sources refuse one, and this keeps a value loaded some other way from
-- overflowing an aggregate (SKEW, KURT) and failing every build
observations as (
    select o.*
    from {{ ref('int_observations_unioned') }} as o
    inner join {{ ref('int_indicators_classified') }} as b on b.indicator_id = o.indicator_id
    where o.value between b.min_value and b.max_value
),

cities as (
    select * from {{ ref('cities') }}
),

-- the city's own population (UN WUP agglomeration), keyed by city
denominator_candidates as (
    select
        indicator_id as denominator,
        geo_id as city_id,
        period,
        value as denominator_value,
        row_number() over (
            partition by indicator_id, geo_id, period order by source_id
        ) as preference
    from observations
    where
        indicator_id in (
            select r.denominator from registry as r
            where r.denominator is not null
        )
        and geo_level in ('city', 'metro')
),

denominators as (
    select denominator, city_id, period, denominator_value
    from denominator_candidates
    where preference = 1
),

own_figures as (
    select c.city_id, false as is_proxy, o.*
    from observations as o
    inner join cities as c on c.city_id = o.geo_id
    where o.geo_level in ('city', 'metro')
    union all
    select c.city_id, false as is_proxy, o.*
    from observations as o
    inner join cities as c on c.country_iso3 = o.geo_id
    where o.geo_level = 'country' and c.is_city_state
),

proxy_figures as (
    select h.city_id, true as is_proxy, o.*
    from observations as o
    inner join {{ ref('national_hosts') }} as h
        on h.indicator_id = o.indicator_id and h.country_iso3 = o.geo_id
    inner join registry as r on r.indicator_id = o.indicator_id
    inner join cities as c on c.city_id = h.city_id and not c.is_city_state
    where o.geo_level = 'country' and r.geography = 'national_host'
),

city_values as (
    select * from own_figures
    union all
    select * from proxy_figures
),

harmonised as {{ not_materialized() }} (
    select
        v.city_id,
        v.indicator_id,
        v.period,
        case
            when r.denominator is null then v.value
            when v.is_proxy then null
            else v.value / nullif(d.denominator_value, 0)
        end as value,
        r.unit,
        v.value as observed_value,
        v.unit as observation_unit,
        r.observation_unit as registry_unit,
        r.denominator,
        d.denominator_value,
        v.geo_id,
        v.geo_level,
        v.is_proxy,
        v.source_id,
        v.payload_sha256,
        v.approximate as is_approximate
    from city_values as v
    inner join registry as r on r.indicator_id = v.indicator_id
    left join denominators as d
        on d.denominator = r.denominator and d.city_id = v.city_id and d.period = v.period
),

-- An indicator whose observations all come from one source at one geography level has at most
-- one candidate per city and year (the observation contract's key is source, indicator, geography
-- and period), so only the indicators with alternatives are ranked: over a large panel the
-- ranking window was most of this model's cost (bench/FINDINGS.md). The alternatives are found
-- in the unioned observations, not in `harmonised`: that CTE is inlined where it is read, so a
-- third reader would compute its joins once more, where this is a grouped scan of two columns.
-- (The unioned rows include values harmonising drops: an indicator ranked needlessly costs
-- time, never a different result.)
with_alternatives as (
    select indicator_id
    from {{ ref('int_observations_unioned') }}
    group by indicator_id
    having min(source_id) <> max(source_id) or min(geo_level) <> max(geo_level)
),

preferred as (
    select
        *,
        row_number() over (
            partition by city_id, indicator_id, period
            order by (geo_level = 'country'), (geo_level = 'metro'), source_id
        ) as preference
    from harmonised
    where value is not null and indicator_id in (select a.indicator_id from with_alternatives as a)
    union all
    select
        *,
        1 as preference
    from harmonised
    where
        value is not null
        and indicator_id not in (select a.indicator_id from with_alternatives as a)
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
from preferred
where preference = 1
