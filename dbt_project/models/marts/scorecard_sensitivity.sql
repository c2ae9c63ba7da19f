-- Per city and year: how the overall rank moves under `sensitivity_draws` random draws of the
-- weights and the method (int_sensitivity_ranks_summarised).
select
    city_id,
    year,
    rank_median,
    rank_p05,
    rank_p95,
    draws,
    rank_best,
    rank_worst,
    score_p05,
    score_median,
    score_p95
from {{ ref('int_sensitivity_ranks_summarised') }}
