-- Per city, year and indicator: the value used and its min-max score (0-100) across the cities
-- of that indicator and year, inverted where lower is better.
with v as (
    select
        s.*,
        i.pillar,
        i.direction,
        i.weight,
        min(s.raw_value) over (partition by s.year, s.indicator_id) as lo,
        max(s.raw_value) over (partition by s.year, s.indicator_id) as hi
    from {{ ref('int_select_city_values') }} as s
    inner join {{ ref('dim_indicator') }} as i using (indicator_id)
)

select
    city_id,
    year,
    indicator_id,
    pillar,
    raw_value,
    raw_value as treated_value,
    case
        when hi = lo then 100.0
        when direction = 'lower' then 100.0 * ((hi - raw_value) / (hi - lo))
        else 100.0 * ((raw_value - lo) / (hi - lo))
    end as normalised_score,
    weight,
    data_year,
    false as is_imputed,
    is_proxy,
    is_approximate,
    source_id,
    payload_sha256
from v
