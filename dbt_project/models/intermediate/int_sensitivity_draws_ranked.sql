-- Step 9, uncertainty analysis (JRC/OECD handbook, ch. 7): `sensitivity_draws` random draws of
-- the method. In each draw
--   * every indicator weight and every pillar weight is multiplied by its own factor drawn
--     uniformly from [1 - weight_jitter, 1 + weight_jitter];
--   * the normalisation is drawn from min_max, z_score and rank;
--   * the imputation is drawn from "as configured" (imputed values kept) and none (dropped);
--   * the aggregation is drawn from arithmetic and geometric;
--   * one indicator is left out, or none: each of the K scored indicators and "none" with
--     probability 1 / (K + 1).
-- The same draw applies to every year. The uniforms come from the md5 of (sensitivity_seed,
-- draw, kind, key) (macro hash_uniform), so the same seed gives the same numbers on every run and
-- machine. Treated values, coverage and the cities ranked stay as in the scorecard. One row per
-- draw, year and ranked city: the draw's choices, score and rank.
{% set seed = var('sensitivity_seed') | int %}
{% set jitter = var('weight_jitter') %}
{% set normalisations = ['min_max', 'z_score', 'rank'] %}
with draws as (
    select n as draw from {{ integers_to(var('sensitivity_draws') | int) }}
),

scored_indicators as (
    select
        indicator_id,
        cast(row_number() over (order by indicator_id) as integer) as position
    from {{ ref('int_indicators_classified') }}
    where is_scored
),

choices as (
    select
        d.draw,
        case
            {% for method in normalisations -%}
            when floor({{ normalisations | length }} * {{ hash_uniform([
                "'" ~ seed ~ "'", 'cast(d.draw as string)', "'normalisation'"
            ]) }}) <= {{ loop.index0 }} then '{{ method }}'
            {% endfor -%}
        end as normalisation,
        case
            when
                {{ hash_uniform(["'" ~ seed ~ "'", 'cast(d.draw as string)', "'imputation'"]) }}
                <= 0.5 then 'as_configured'
            else 'none'
        end as imputation,
        case
            when
                {{ hash_uniform(["'" ~ seed ~ "'", 'cast(d.draw as string)', "'aggregation'"]) }}
                <= 0.5 then 'arithmetic'
            else 'geometric'
        end as aggregation,
        cast(floor(((select count(*) from scored_indicators) + 1) * {{ hash_uniform([
            "'" ~ seed ~ "'", 'cast(d.draw as string)', "'left_out'"
        ]) }}) as integer) as left_out_position
    from draws as d
),

draw_choices as (
    select c.*, i.indicator_id as left_out_indicator
    from choices as c
    left join scored_indicators as i on i.position = c.left_out_position
),

indicator_weights as (
    select
        d.draw,
        i.indicator_id,
        i.weight * (1 + {{ jitter }} * (2 * {{ hash_uniform([
            "'" ~ seed ~ "'", 'cast(d.draw as string)', "'indicator'", 'i.indicator_id'
        ]) }} - 1)) as weight
    from draws as d
    cross join {{ ref('int_indicators_classified') }} as i
    where i.is_scored
),

pillar_weights as (
    select
        d.draw,
        p.pillar,
        p.weight * (1 + {{ jitter }} * (2 * {{ hash_uniform([
            "'" ~ seed ~ "'", 'cast(d.draw as string)', "'pillar'", 'p.pillar'
        ]) }} - 1)) as weight
    from draws as d
    cross join {{ ref('pillars') }} as p
),

-- the treated values of the pillars the scorecard scores, of the cities it ranks
treated as (
    select s.year, s.city_id, s.pillar, s.indicator_id, s.direction, s.treated_value, s.is_imputed
    from {{ ref('int_values_normalised') }} as s
    inner join {{ ref('int_pillar_scores_aggregated') }} as p
        on p.year = s.year and p.city_id = s.city_id and p.pillar = s.pillar
    inner join {{ ref('int_overall_scores_aggregated') }} as o
        on o.year = s.year and o.city_id = s.city_id
    where p.score is not null and o.overall_score is not null and s.treated_value is not null
),

-- the two imputation variants: every value, or only the observed ones
imputation_variants as (
    select 'as_configured' as imputation, * from treated
    union all
    select 'none' as imputation, * from treated
    where not is_imputed
),

ranked as (
    {{ select_with_normalisation_statistics(
        'imputation_variants', ['imputation', 'year', 'indicator_id']
    ) }}
),

-- every normalisation of every imputation variant
variants as (
    {% for method in normalisations -%}
    select
        imputation,
        '{{ method }}' as normalisation,
        year,
        city_id,
        pillar,
        indicator_id,
        {{ normalised_score(method, 'treated_value', 'direction') }} as score
    from ranked
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

pillar_scores as (
    select
        c.draw,
        v.year,
        v.city_id,
        v.pillar,
        case
            when c.aggregation = 'geometric'
                then {{ aggregate_scores('v.score', 'w.weight', 'geometric') }}
            else {{ aggregate_scores('v.score', 'w.weight', 'arithmetic') }}
        end as score
    from draw_choices as c
    inner join variants as v
        on v.imputation = c.imputation and v.normalisation = c.normalisation
    inner join indicator_weights as w on w.draw = c.draw and w.indicator_id = v.indicator_id
    where v.indicator_id is distinct from c.left_out_indicator
    group by c.draw, c.aggregation, v.year, v.city_id, v.pillar
),

overall_scores as (
    select
        s.draw,
        c.normalisation,
        c.imputation,
        c.aggregation,
        c.left_out_indicator,
        s.year,
        s.city_id,
        case
            when c.aggregation = 'geometric'
                then {{ aggregate_scores('s.score', 'w.weight', 'geometric') }}
            else {{ aggregate_scores('s.score', 'w.weight', 'arithmetic') }}
        end as overall_score
    from pillar_scores as s
    inner join draw_choices as c on c.draw = s.draw
    inner join pillar_weights as w on w.draw = s.draw and w.pillar = s.pillar
    group by
        s.draw, c.normalisation, c.imputation, c.aggregation, c.left_out_indicator,
        s.year, s.city_id
)

select
    draw,
    year,
    city_id,
    normalisation,
    imputation,
    aggregation,
    left_out_indicator,
    round(overall_score, 9) as overall_score,
    cast(rank() over (partition by draw, year order by round(overall_score, 9) desc) as integer)
        as overall_rank
from overall_scores
