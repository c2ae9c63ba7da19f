-- The indicator values behind the pillar scores: every scored value (observed or imputed) of a
-- pillar the city has a score in, that year. These are the "scored values" whose proxy and
-- imputed shares and data years every ranking is shown with (scorecard_city per city,
-- scorecard_edition per year).
-- A view: its two readers aggregate it per city or per year (bench/FINDINGS.md).
{{ config(materialized='view') }}
select
    s.year,
    s.city_id,
    s.pillar,
    s.indicator_id,
    s.normalised_score,
    s.data_year,
    s.is_proxy,
    s.is_imputed
from {{ ref('int_values_normalised') }} as s
inner join {{ ref('int_pillar_scores_aggregated') }} as p
    on p.year = s.year and p.city_id = s.city_id and p.pillar = s.pillar
where s.normalised_score is not null and p.score is not null
