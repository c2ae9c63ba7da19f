-- The edition's headline year: the newest year with the most ranked cities, then the most pillar
-- scores. The newest years often hold only the few series published early, so the plain newest
-- year would leave pillars and cities unscored. One row.
with per_year as (
    select
        o.year,
        count(o.overall_score) as cities_ranked,
        sum(o.pillars_scored) as pillar_scores
    from {{ ref('int_overall_scores_aggregated') }} as o
    group by o.year
)

select year as headline_year
from per_year
order by cities_ranked desc, pillar_scores desc, year desc
limit 1
