-- The edition's headline year (the year every surface shows): each city's row of scorecard_city
-- with the year's caveats from scorecard_edition; unranked cities last.
select
    c.*,
    e.pillars_scored as edition_pillars_scored,
    e.pillars_total as edition_pillars_total,
    e.proxy_share as edition_proxy_share,
    e.imputed_share as edition_imputed_share,
    e.data_year_min as edition_data_year_min,
    e.data_year_max as edition_data_year_max
from {{ ref('scorecard_city') }} as c
inner join {{ ref('scorecard_edition') }} as e on e.year = c.year and e.is_headline_year
order by c.overall_rank nulls last, c.city_name
