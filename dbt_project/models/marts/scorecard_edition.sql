-- Per scorecard year: what a reader must know before reading its ranking. The cities ranked and
-- unranked, the pillars and indicators scored, the share of values that are national proxies or
-- imputed, and the data years behind the scores. `is_headline_year` marks the year every surface
-- (console, README, cards, latest_scorecard) shows, and `headline_year` repeats it on every row.
-- A year is partial (`is_partial`) when some pillar has no score at all that year: its ranking
-- rests on fewer pillars than the edition's, every surface labels it, and no year-on-year change
-- is computed across it.
with values_per_year as (
    select
        year,
        cast(count(distinct pillar) as integer) as pillars_scored,
        cast(count(distinct indicator_id) as integer) as indicators_scored,
        avg(cast(case when is_proxy then 1 else 0 end as double)) as proxy_share,
        avg(cast(case when is_imputed then 1 else 0 end as double)) as imputed_share,
        cast(min(data_year) as integer) as data_year_min,
        cast(max(data_year) as integer) as data_year_max
    from {{ ref('int_values_scored') }}
    group by year
),

pillar_count as (
    select cast(count(*) as integer) as pillars_total from {{ ref('pillars') }}
),

cities_per_year as (
    select
        year,
        cast(count(*) as integer) as cities,
        cast(count(overall_score) as integer) as cities_ranked,
        {{ sorted_string_agg('case when overall_score is null then city_id end', ', ') }}
            as cities_unranked
    from {{ ref('int_overall_scores_aggregated') }}
    group by year
)

select
    c.year,
    c.year = h.headline_year as is_headline_year,
    h.headline_year,
    coalesce(v.pillars_scored, 0) < p.pillars_total as is_partial,
    case
        when coalesce(v.pillars_scored, 0) < p.pillars_total
            then
                'partial: ' || cast(coalesce(v.pillars_scored, 0) as string) || ' of '
                || cast(p.pillars_total as string) || ' pillars scored'
    end as partial_reason,
    c.cities,
    c.cities_ranked,
    c.cities_unranked,
    coalesce(v.pillars_scored, 0) as pillars_scored,
    p.pillars_total,
    coalesce(v.indicators_scored, 0) as indicators_scored,
    v.proxy_share,
    v.imputed_share,
    v.data_year_min,
    v.data_year_max
from cities_per_year as c
left join values_per_year as v on v.year = c.year
left join {{ ref('int_headline_year_selected') }} as h on true
cross join pillar_count as p
