-- Step 9, summarised: per city and year, how the overall rank moves over the draws of
-- int_sensitivity_draws_ranked: the median rank and the 5th-95th percentile interval (discrete
-- percentiles: ranks that occurred), and the overall score's percentiles.
select
    city_id,
    year,
    cast(percentile_disc(0.5) within group (order by overall_rank) as integer) as rank_median,
    cast(percentile_disc(0.05) within group (order by overall_rank) as integer) as rank_p05,
    cast(percentile_disc(0.95) within group (order by overall_rank) as integer) as rank_p95,
    cast(count(*) as integer) as draws,
    min(overall_rank) as rank_best,
    max(overall_rank) as rank_worst,
    percentile_cont(0.05) within group (order by overall_score) as score_p05,
    percentile_cont(0.5) within group (order by overall_score) as score_median,
    percentile_cont(0.95) within group (order by overall_score) as score_p95
from {{ ref('int_sensitivity_draws_ranked') }}
group by city_id, year
