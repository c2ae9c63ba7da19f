-- Per city, year and scored indicator: its contribution in points to the pillar score and to the
-- overall score (they add up to the scores), with the observation's provenance and flags.
-- See int_contributions_explained.
select
    city_id,
    year,
    pillar,
    indicator_id,
    contribution_to_pillar,
    contribution_to_overall,
    normalised_score,
    weight_share,
    pillar_weight_share,
    source_id,
    payload_sha256,
    data_year,
    value_origin,
    is_imputed,
    is_proxy,
    is_approximate,
    is_outlier_treated
from {{ ref('int_contributions_explained') }}
