-- Step 6, normalise every treated value to a 0-100 score across the cities with a value for that
-- indicator and year, by var `normalisation` (better is always higher after this step):
--   min_max  100 * (x - min) / (max - min); lower-is-better: 100 * (max - x) / (max - min)
--   z_score  z = (x - mean) / sd (sample sd), negated for lower-is-better, rescaled as
--            50 + 50 * z / 3 and clipped to 0-100 (three sd either side span the scale)
--   rank     100 * (r - 1) / (n - 1), r the rank from worst (1) to best (n), ties averaged
-- With no spread (one city, or all equal) every city scores 50.
-- Then, when `imputation` is `pillar_mean`, a still missing score is filled with the weighted
-- mean of the city's other scores in the pillar that year (flagged `is_imputed`).
{% set method = choice_var('normalisation', ['min_max', 'z_score', 'rank']) %}
{% set imputation = choice_var('imputation', ['none', 'last_observation', 'pillar_mean']) %}
-- computed where it is read (macro not_materialized): the statistics read two of its columns; a
-- stored copy of every row, to read it twice, spilled at 30 M rows (bench/FINDINGS.md)
with treated as {{ not_materialized() }} (
    select * from {{ ref('int_outliers_treated') }}
),

ranked as (
    {{ select_with_normalisation_statistics(
        'treated', ['year', 'indicator_id'], with_rank=(method == 'rank'), grouped=true
    ) }}
),

normalised as (
    select
        *,
        {{ normalised_score(method, 'treated_value', 'direction') }} as normalised_score
    from ranked
),

pillar_mean_imputation as (
    select
        *,
        {% if imputation == 'pillar_mean' %}
        sum(normalised_score * weight) over city_pillar
        / nullif(sum(case when normalised_score is not null then weight end) over city_pillar, 0)
        {% else %}
        cast(null as double)
        {% endif %} as pillar_mean
    from normalised
    window city_pillar as (partition by year, city_id, pillar)
)

select
    year,
    city_id,
    pillar,
    indicator_id,
    direction,
    weight,
    edition_year,
    data_year,
    unit,
    observed_value,
    denominator_value,
    raw_value,
    treated_value,
    coalesce(normalised_score, pillar_mean) as normalised_score,
    is_imputed or (normalised_score is null and pillar_mean is not null) as is_imputed,
    case
        when normalised_score is null and pillar_mean is not null then 'pillar_mean'
        else value_origin
    end as value_origin,
    outlier_skewness,
    outlier_kurtosis,
    outlier_flagged,
    is_outlier_treated,
    geo_level,
    is_proxy,
    is_approximate,
    source_id,
    payload_sha256
from pillar_mean_imputation
