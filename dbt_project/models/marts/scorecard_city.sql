-- Per city and year: the overall score and rank, one column per pillar score, the change since
-- the previous year, the rank interval under the uncertainty analysis (scorecard_sensitivity)
-- and the caveats every surface shows beside a rank: pillars scored, share of proxy and imputed
-- values, the data years behind the scores, and whether the year is the edition's headline.
-- One `<pillar>_score` column per row of seed `pillars`, in its order (macro pillar_keys).
{% set pillars = pillar_keys() %}
with by_pillar as (
    select
        {% for pillar in pillars -%}
        max(score) filter (where pillar = '{{ pillar }}') as {{ pillar }}_score,
        {% endfor -%}
        city_id,
        year
    from {{ ref('int_pillar_scores_aggregated') }}
    group by city_id, year
),

scored_values as (
    select
        city_id,
        year,
        cast(count(*) as integer) as indicators_scored,
        avg(cast(case when is_proxy then 1 else 0 end as double)) as proxy_share,
        avg(cast(case when is_imputed then 1 else 0 end as double)) as imputed_share,
        cast(min(data_year) as integer) as data_year_min,
        cast(max(data_year) as integer) as data_year_max
    from {{ ref('int_values_scored') }}
    group by city_id, year
)

select
    o.city_id,
    c.city_name,
    o.year,
    o.overall_score,
    o.overall_rank,
    {% for pillar in pillars -%}
    b.{{ pillar }}_score,
    {% endfor -%}
    o.overall_score_change,
    o.overall_rank_change,
    s.rank_p05,
    s.rank_median,
    s.rank_p95,
    o.pillars_scored,
    o.overall_missing_reason,
    coalesce(v.indicators_scored, 0) as indicators_scored,
    v.proxy_share,
    v.imputed_share,
    v.data_year_min,
    v.data_year_max,
    o.year = h.headline_year as is_headline_year
from {{ ref('int_overall_scores_aggregated') }} as o
inner join {{ ref('cities') }} as c on c.city_id = o.city_id
left join {{ ref('int_headline_year_selected') }} as h on true
-- (by_pillar is referenced once per pillar; the lint target compiles the model without any)
left join by_pillar as b on b.city_id = o.city_id and b.year = o.year  -- noqa: ST11
left join scored_values as v on v.city_id = o.city_id and v.year = o.year
left join {{ ref('int_sensitivity_ranks_summarised') }} as s
    on s.city_id = o.city_id and s.year = o.year
