-- Step 4, impute a missing value by var `imputation`:
--   none              leave it missing (step 7 renormalises the weights over the values present)
--   last_observation  the city's latest earlier value of the indicator, at most `max_data_age`
--                     years before the scorecard year (default)
--   pillar_mean       filled after normalisation, in int_values_normalised (scores of different
--                     units can only be averaged once they are on the 0-100 scale)
-- Every filled value is flagged `is_imputed`, and `value_origin` says how it was obtained.
-- An indicator not scored in the year (step 2's coverage rule) is never imputed.
-- A view: with imputation `none` it passes step 2's rows through, and either way
-- int_values_normalised, its one reader through int_outliers_treated, is the table that stores
-- them (bench/FINDINGS.md). A table on Spark (macro step_materialization).
{{ config(materialized=step_materialization()) }}
{% set method = choice_var('imputation', ['none', 'last_observation', 'pillar_mean']) %}
-- computed where it is read (macro not_materialized): the last-observation branch reads only the
-- gaps, and a stored copy of every row, to read it twice, spilled at 30 M rows (bench/FINDINGS.md)
with selected as {{ not_materialized() }} (
    select * from {{ ref('int_edition_years_selected') }}
),

last_observation as (
    {% if method == 'last_observation' %}
    select
        year,
        city_id,
        indicator_id,
        value,
        unit,
        period,
        observed_value,
        denominator_value,
        geo_level,
        is_proxy,
        is_approximate,
        source_id,
        payload_sha256
    from (
        select
            s.year,
            s.city_id,
            s.indicator_id,
            h.value,
            h.unit,
            h.period,
            h.observed_value,
            h.denominator_value,
            h.geo_level,
            h.is_proxy,
            h.is_approximate,
            h.source_id,
            h.payload_sha256,
            row_number() over (
                partition by s.year, s.city_id, s.indicator_id order by h.period desc
            ) as recency
        from selected as s
        inner join {{ ref('int_observations_harmonised') }} as h
            on
                h.city_id = s.city_id
                and h.indicator_id = s.indicator_id
                and h.period < s.edition_year
                and h.period >= s.year - {{ var('max_data_age') }}
        where s.raw_value is null and s.is_indicator_scored
    ) as earlier
    where recency = 1
    {% else %}
    -- imputation = {{ method }}: nothing is carried forward
    select
        year,
        city_id,
        indicator_id,
        raw_value as value,
        unit,
        data_year as period,
        observed_value,
        denominator_value,
        geo_level,
        is_proxy,
        is_approximate,
        source_id,
        payload_sha256
    from selected
    where false
    {% endif %}
)

select
    s.year,
    s.city_id,
    s.pillar,
    s.indicator_id,
    s.direction,
    s.weight,
    s.edition_year,
    s.is_indicator_scored,
    s.indicator_not_scored_reason,
    coalesce(s.raw_value, l.value) as raw_value,
    coalesce(s.unit, l.unit) as unit,
    coalesce(s.data_year, l.period) as data_year,
    coalesce(s.observed_value, l.observed_value) as observed_value,
    coalesce(s.denominator_value, l.denominator_value) as denominator_value,
    coalesce(s.geo_level, l.geo_level) as geo_level,
    coalesce(s.is_proxy, l.is_proxy) as is_proxy,
    coalesce(s.is_approximate, l.is_approximate) as is_approximate,
    coalesce(s.source_id, l.source_id) as source_id,
    coalesce(s.payload_sha256, l.payload_sha256) as payload_sha256,
    (s.raw_value is null and l.value is not null) as is_imputed,
    case
        when s.raw_value is not null then 'observed'
        when l.value is not null then 'last_observation'
    end as value_origin
from selected as s
left join last_observation as l
    on l.year = s.year and l.city_id = s.city_id and l.indicator_id = s.indicator_id
