-- Per city and year: the overall score and rank, one column per pillar score, the change since
-- the previous year and the rank interval under perturbed weights (scorecard_sensitivity).
{% set pillars = ['economy_business', 'education_research', 'tourism_connectivity', 'culture_diplomacy'] %}
with by_pillar as (
    select
        city_id,
        year,
        {% for pillar in pillars -%}
        max(score) filter (where pillar = '{{ pillar }}') as {{ pillar }}_score
        {{- "," if not loop.last }}
        {% endfor %}
    from {{ ref('int_aggregate_pillars') }}
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
    o.pillars_scored
from {{ ref('int_aggregate_overall') }} as o
inner join {{ ref('dim_city') }} as c on c.city_id = o.city_id
left join by_pillar as b on b.city_id = o.city_id and b.year = o.year
left join {{ ref('scorecard_sensitivity') }} as s on s.city_id = o.city_id and s.year = o.year
