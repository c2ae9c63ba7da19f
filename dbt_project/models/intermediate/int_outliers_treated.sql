-- Step 5, treat outliers: an indicator whose values across the cities of a year have
-- |skewness| > `outlier_skewness` and kurtosis > `outlier_kurtosis` (sample estimators, as in
-- the JRC COIN tool) is treated by var `outlier_treatment`:
--   winsorise  the most extreme value (on the side of the skew) is set to the next value in,
--              repeated while the thresholds are still exceeded, at most
--              `outlier_max_winsorised` times (default)
--   log        every value x becomes ln(x - min + 0.01 * (max - min)), defined for zero and
--              negative values and invariant to the unit
--   none       values are left as they are
-- Flags: `outlier_flagged` on every value of a treated indicator-year, `is_outlier_treated` on
-- each value the treatment changed.
-- A view: int_values_normalised, its one reader, stores the treated values; writing the panel
-- here as well cost a full copy of it (bench/FINDINGS.md). A table on Spark (macro
-- step_materialization).
{{ config(materialized=step_materialization()) }}
{% set method = choice_var('outlier_treatment', ['none', 'winsorise', 'log']) %}
{% set max_skew = var('outlier_skewness') %}
{% set max_kurt = var('outlier_kurtosis') %}
{% set steps = var('outlier_max_winsorised') | int if method == 'winsorise' else 0 %}
-- computed where it is read (macro not_materialized): the statistics and the winsorised values
-- read three of its columns; a stored copy of every row, to read it three times, spilled at 30 M
-- rows (bench/FINDINGS.md)
with imputed as {{ not_materialized() }} (
    select * from {{ ref('int_values_imputed') }}
),

distribution as (
    select
        year,
        indicator_id,
        {{ sample_skewness('raw_value') }} as skewness,
        {{ sample_kurtosis('raw_value') }} as kurtosis,
        min(raw_value) as lo,
        max(raw_value) as hi
    from imputed
    where raw_value is not null
    group by year, indicator_id
),

flagged as (
    select
        *,
        coalesce(abs(skewness) > {{ max_skew }} and kurtosis > {{ max_kurt }}, false)
            as outlier_flagged
    from distribution
),

{% if method == 'winsorise' -%}
-- only the flagged indicator-years are winsorised (the others keep their values), so the passes
-- and the join back to every value stay as small as the outliers
winsorised_0 as (
    select i.year, i.indicator_id, i.city_id, i.raw_value as value
    from imputed as i
    inner join flagged as f on f.year = i.year and f.indicator_id = i.indicator_id
    where i.raw_value is not null and f.outlier_flagged
),
{%- endif %}

{% for step in range(1, steps + 1) %}
-- winsorisation pass {{ step }}: move the most extreme value one step in where still outlying
pass_{{ step }}_stats as (
    select
        year,
        indicator_id,
        {{ sample_skewness('value') }} as skewness,
        coalesce(
            abs({{ sample_skewness('value') }}) > {{ max_skew }}
            and {{ sample_kurtosis('value') }} > {{ max_kurt }},
            false
        ) as still_outlying,
        min(value) as lo,
        max(value) as hi
    from winsorised_{{ step - 1 }}
    group by year, indicator_id
),

pass_{{ step }}_bounds as (
    select
        s.year,
        s.indicator_id,
        s.skewness,
        s.still_outlying,
        s.lo,
        s.hi,
        max(w.value) filter (where w.value < s.hi) as next_below_hi,
        min(w.value) filter (where w.value > s.lo) as next_above_lo
    from pass_{{ step }}_stats as s
    inner join winsorised_{{ step - 1 }} as w
        on w.year = s.year and w.indicator_id = s.indicator_id
    group by s.year, s.indicator_id, s.skewness, s.still_outlying, s.lo, s.hi
),

winsorised_{{ step }} as (
    select
        w.year,
        w.indicator_id,
        w.city_id,
        case
            when b.still_outlying and b.skewness > 0 and w.value = b.hi then b.next_below_hi
            when b.still_outlying and b.skewness < 0 and w.value = b.lo then b.next_above_lo
            else w.value
        end as value
    from winsorised_{{ step - 1 }} as w
    inner join pass_{{ step }}_bounds as b
        on b.year = w.year and b.indicator_id = w.indicator_id
),

{% endfor %}
treated as (
    select
        i.*,
        f.skewness as outlier_skewness,
        f.kurtosis as outlier_kurtosis,
        coalesce(f.outlier_flagged, false) as outlier_flagged,
        case
            {% if method == 'log' %}
            when f.outlier_flagged then ln(i.raw_value - f.lo + 0.01 * (f.hi - f.lo))
            {% elif method == 'winsorise' %}
            when f.outlier_flagged then w.value
            {% else %}
            when false then null
            {% endif %}
            else i.raw_value
        end as treated_value
    from imputed as i
    left join flagged as f on f.year = i.year and f.indicator_id = i.indicator_id
    {% if method == 'winsorise' -%}
    left join winsorised_{{ steps }} as w
        on w.year = i.year and w.indicator_id = i.indicator_id and w.city_id = i.city_id
    {%- endif %}
)

select
    *,
    coalesce(outlier_flagged and treated_value is distinct from raw_value, false)
        as is_outlier_treated
from treated
