-- Statistical audit, strengths and weaknesses: per year and city, its `audit_strengths` best
-- and worst indicators by rank among the cities with a value for the indicator that year (1 is
-- the best score; ties share a rank). Strengths are the best ranks (ties: the higher score,
-- then the indicator id), weaknesses the worst; an indicator is listed once, as a strength
-- when a city has too few indicators to be both.
{% set listed = var('audit_strengths') | int %}
with ranked as (
    select
        s.year,
        s.city_id,
        s.indicator_id,
        s.pillar,
        s.normalised_score,
        s.raw_value,
        s.data_year,
        s.is_imputed,
        s.is_proxy,
        cast(rank() over (
            partition by s.year, s.indicator_id order by s.normalised_score desc
        ) as integer) as indicator_rank,
        cast(count(*) over (partition by s.year, s.indicator_id) as integer) as cities_with_value
    from {{ ref('scorecard_indicator') }} as s
),

ordered as (
    select
        *,
        row_number() over (
            partition by year, city_id
            order by indicator_rank asc, normalised_score desc, indicator_id asc
        ) as best_first,
        row_number() over (
            partition by year, city_id
            order by indicator_rank desc, normalised_score asc, indicator_id asc
        ) as worst_first
    from ranked
)

select
    year,
    city_id,
    case when best_first <= {{ listed }} then 'strength' else 'weakness' end as kind,
    cast(
        case when best_first <= {{ listed }} then best_first else worst_first end as integer
    ) as position,
    indicator_id,
    pillar,
    indicator_rank,
    cities_with_value,
    normalised_score,
    raw_value,
    data_year,
    is_imputed,
    is_proxy
from ordered
where best_first <= {{ listed }} or worst_first <= {{ listed }}
