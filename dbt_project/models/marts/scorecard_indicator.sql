-- Per city, year and indicator: the value used, its treatment and its 0-100 score, with flags.
-- Only values that are scored (observed or imputed) appear; see int_values_normalised.
select
    city_id,
    year,
    indicator_id,
    pillar,
    raw_value,
    treated_value,
    normalised_score,
    weight,
    data_year,
    is_imputed,
    is_proxy,
    is_approximate,
    unit,
    edition_year,
    value_origin,
    observed_value,
    denominator_value,
    outlier_flagged,
    is_outlier_treated,
    geo_level,
    source_id,
    payload_sha256
from {{ ref('int_values_normalised') }}
where normalised_score is not null
