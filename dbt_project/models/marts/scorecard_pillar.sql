-- Per city, year and pillar: the pillar score (null with a reason when the city is not covered),
-- its rank, coverage and year-on-year change. See int_pillar_scores_aggregated.
select
    city_id,
    year,
    pillar,
    score,
    rank,
    coverage,
    indicators_total,
    indicators_observed,
    indicators_scored,
    indicators_imputed,
    score_missing_reason,
    score_change,
    rank_change
from {{ ref('int_pillar_scores_aggregated') }}
