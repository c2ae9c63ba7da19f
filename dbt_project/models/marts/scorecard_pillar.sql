-- Per city, year and pillar: the weighted mean of the indicator scores present (weights
-- renormalised over them), its rank among the cities, and the share of indicators present.
with pillar_size as (
    select pillar, count(*) as indicators
    from {{ ref('dim_indicator') }}
    where pillar is not null
    group by pillar
),

scores as (
    select
        city_id,
        year,
        pillar,
        sum(normalised_score * weight) / nullif(sum(weight), 0) as score,
        count(*) as indicators_present
    from {{ ref('scorecard_indicator') }}
    group by city_id, year, pillar
)

select
    s.city_id,
    s.year,
    s.pillar,
    s.score,
    rank() over (partition by s.year, s.pillar order by s.score desc) as rank,
    s.indicators_present / p.indicators as coverage
from scores as s
inner join pillar_size as p using (pillar)
