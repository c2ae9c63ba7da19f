-- Long form for plotting: one row per city, scorecard year and indicator, with the value used,
-- the year it was observed, its 0-100 score, flags and source.
select
    s.city_id,
    c.city_name,
    s.indicator_id,
    i.name as indicator_name,
    s.pillar,
    i.unit,
    s.year,
    s.data_year,
    s.raw_value as value,
    s.normalised_score,
    s.is_proxy,
    s.is_imputed,
    s.is_approximate,
    s.source_id,
    s.payload_sha256
from {{ ref('scorecard_indicator') }} as s
inner join {{ ref('dim_city') }} as c on c.city_id = s.city_id
inner join {{ ref('dim_indicator') }} as i on i.indicator_id = s.indicator_id
