-- Per city and year: the overall score (weighted mean of the pillar scores present), its rank,
-- and one column per pillar.
with weighted as (
    select
        p.city_id,
        p.year,
        sum(p.score * w.weight) / nullif(sum(w.weight), 0) as overall_score
    from {{ ref('scorecard_pillar') }} as p
    inner join {{ ref('pillars') }} as w using (pillar)
    where p.score is not null
    group by p.city_id, p.year
),

by_pillar as (
    select
        city_id,
        year,
        {% for pillar in ['economy_business', 'education_research', 'tourism_connectivity', 'culture_diplomacy'] -%}
        max(score) filter (where pillar = '{{ pillar }}') as {{ pillar }}_score{{ "," if not loop.last }}
        {% endfor %}
    from {{ ref('scorecard_pillar') }}
    group by city_id, year
)

select
    w.city_id,
    c.city_name,
    w.year,
    w.overall_score,
    rank() over (partition by w.year order by w.overall_score desc) as overall_rank,
    b.economy_business_score,
    b.education_research_score,
    b.tourism_connectivity_score,
    b.culture_diplomacy_score
from weighted as w
inner join {{ ref('dim_city') }} as c using (city_id)
left join by_pillar as b using (city_id, year)
