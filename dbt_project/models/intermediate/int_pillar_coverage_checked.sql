-- Step 3, coverage: a city enters a pillar in a year only when at least `min_pillar_coverage` of
-- the pillar's indicators have an observed value in their edition year (before imputation).
-- `coverage_basis` says which indicators count: `in_play` (default) those with data for at least
-- one city of the comparison set that year (an indicator nobody has cannot tell cities apart,
-- e.g. a live-only series in an offline build), `registry` every indicator of the pillar.
-- Otherwise the pillar score will be null, for the reason given here.
{% set basis = choice_var('coverage_basis', ['in_play', 'registry']) %}
-- Read from step 6's stored rows, where `value_origin = 'observed'` marks the values observed in
-- their edition year: step 2 is a view, which read here would be computed a second time.
with selected as (
    select
        year,
        city_id,
        pillar,
        indicator_id,
        case when value_origin = 'observed' then raw_value end as raw_value
    from {{ ref('int_values_normalised') }}
),

pillar_size as (
    select p.pillar, count(i.indicator_id) as indicators_total
    from {{ ref('pillars') }} as p
    left join {{ ref('int_indicators_classified') }} as i on i.pillar = p.pillar
    group by p.pillar
),

in_play as (
    select
        year,
        pillar,
        count(distinct indicator_id) filter (where raw_value is not null) as indicators_in_play
    from selected
    group by year, pillar
),

city_years as (
    select distinct year, city_id from selected
),

observed as (
    select year, city_id, pillar, count(raw_value) as indicators_observed
    from selected
    group by year, city_id, pillar
),

counted as (
    select
        cy.year,
        cy.city_id,
        p.pillar,
        cast(p.indicators_total as integer) as indicators_in_registry,
        cast(
            {% if basis == 'in_play' %}coalesce(ip.indicators_in_play, 0)
            {% else %}p.indicators_total{% endif %} as integer
        ) as indicators_total,
        cast(coalesce(o.indicators_observed, 0) as integer) as indicators_observed
    from city_years as cy
    cross join pillar_size as p
    left join in_play as ip on ip.year = cy.year and ip.pillar = p.pillar
    left join observed as o
        on o.year = cy.year and o.city_id = cy.city_id and o.pillar = p.pillar
),

coverage as (
    select
        *,
        case
            when indicators_total > 0
                then cast(indicators_observed as double) / indicators_total
        end as coverage
    from counted
)

select
    year,
    city_id,
    pillar,
    indicators_in_registry,
    indicators_total,
    indicators_observed,
    coverage,
    coalesce(coverage >= {{ var('min_pillar_coverage') }} and indicators_observed > 0, false)
        as is_covered,
    case
        when indicators_in_registry = 0 then 'no indicator in the registry for this pillar'
        when indicators_observed = 0
            then 'no data within max_data_age ({{ var("max_data_age") }} years)'
        when coverage < {{ var('min_pillar_coverage') }}
            then
                cast(indicators_observed as string) || ' of ' || cast(indicators_total as string)
                || ' indicators observed, below min_pillar_coverage '
                || '{{ var("min_pillar_coverage") }}'
    end as not_covered_reason
from coverage
