-- Step 9, sensitivity: `sensitivity_draws` random weightings. In each draw every indicator weight
-- and every pillar weight is multiplied by its own factor drawn uniformly from
-- [1 - weight_jitter, 1 + weight_jitter]; the same draw applies to every year. The uniforms come
-- from the md5 of (sensitivity_seed, draw, kind, key) (macro hash_uniform), so the same seed gives
-- the same numbers on every run and machine. Normalised scores, coverage and imputation stay as
-- in the scorecard; only the weights move. One row per draw, year and city: score and rank.
{% set method = choice_var('aggregation', ['arithmetic', 'geometric']) %}
{% set seed = var('sensitivity_seed') | int %}
{% set jitter = var('weight_jitter') %}
with draws as (
    select n as draw from {{ integers_to(var('sensitivity_draws') | int) }}
),

indicator_weights as (
    select
        d.draw,
        i.indicator_id,
        i.weight * (1 + {{ jitter }} * (2 * {{ hash_uniform([
            "'" ~ seed ~ "'", 'cast(d.draw as varchar)', "'indicator'", 'i.indicator_id'
        ]) }} - 1)) as weight
    from draws as d
    cross join {{ ref('dim_indicator') }} as i
    where i.pillar is not null
),

pillar_weights as (
    select
        d.draw,
        p.pillar,
        p.weight * (1 + {{ jitter }} * (2 * {{ hash_uniform([
            "'" ~ seed ~ "'", 'cast(d.draw as varchar)', "'pillar'", 'p.pillar'
        ]) }} - 1)) as weight
    from draws as d
    cross join {{ ref('pillars') }} as p
),

scored as (
    select s.year, s.city_id, s.pillar, s.indicator_id, s.normalised_score
    from {{ ref('int_normalise_scores') }} as s
    inner join {{ ref('int_aggregate_pillars') }} as p
        on p.year = s.year and p.city_id = s.city_id and p.pillar = s.pillar
    where p.score is not null and s.normalised_score is not null
),

pillar_scores as (
    select
        w.draw,
        s.year,
        s.city_id,
        s.pillar,
        {{ aggregate_scores('s.normalised_score', 'w.weight', method) }} as score
    from scored as s
    inner join indicator_weights as w on w.indicator_id = s.indicator_id
    group by w.draw, s.year, s.city_id, s.pillar
),

overall_scores as (
    select
        s.draw,
        s.year,
        s.city_id,
        {{ aggregate_scores('s.score', 'w.weight', method) }} as overall_score
    from pillar_scores as s
    inner join pillar_weights as w on w.draw = s.draw and w.pillar = s.pillar
    group by s.draw, s.year, s.city_id
)

select
    draw,
    year,
    city_id,
    overall_score,
    cast(rank() over (partition by draw, year order by overall_score desc) as integer)
        as overall_rank
from overall_scores
