-- The cities scored: a city of seed `cities` enters the scorecard only when it has observations
-- of scored indicators in at least `min_pillars` pillars (any year from `first_year` minus
-- `max_data_age` on). A city with fewer (a row just added to the seed, whose sources do not
-- cover it yet) is listed unscored with the reason, and it does not count in any coverage
-- denominator: adding it changes neither the other cities' scores and ranks nor the "of N".
with observed as (
    select
        h.city_id,
        cast(count(distinct i.pillar) as integer) as pillars_observed
    from {{ ref('int_observations_harmonised') }} as h
    inner join {{ ref('int_indicators_classified') }} as i on i.indicator_id = h.indicator_id
    where i.is_scored and h.period >= {{ var('first_year') }} - {{ var('max_data_age') }}
    group by h.city_id
)

select
    c.city_id,
    coalesce(o.pillars_observed, 0) as pillars_observed,
    coalesce(o.pillars_observed, 0) >= {{ var('min_pillars') }} as is_scored,
    case
        when coalesce(o.pillars_observed, 0) < {{ var('min_pillars') }}
            then
                'observations in ' || cast(coalesce(o.pillars_observed, 0) as string)
                || ' of ' || cast((select count(*) from {{ ref('pillars') }}) as string)
                || ' pillars, below min_pillars {{ var("min_pillars") }}: not scored'
    end as unscored_reason
from {{ ref('cities') }} as c
left join observed as o on o.city_id = c.city_id
