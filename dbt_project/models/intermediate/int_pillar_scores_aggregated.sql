-- Steps 7 and 8 for pillars. Weight and aggregate: a covered city's pillar score aggregates its
-- indicator scores (observed or imputed) with the indicator weights of the registry,
-- renormalised over the indicators present, by var `aggregation` (macro aggregate_scores):
--   arithmetic  sum(w * s) / sum(w)                       (default)
--   geometric   exp(sum(w * ln(1 + s)) / sum(w)) - 1
-- A city that is not covered (step 3) gets a null score and the reason.
-- Rank among the cities of the year (1 is best, ties share a rank), and the change since the
-- previous year: score points, and places gained (previous rank - rank).
{% set method = choice_var('aggregation', ['arithmetic', 'geometric']) %}
with coverage as (
    select * from {{ ref('int_pillar_coverage_checked') }}
),

scores as (
    select * from {{ ref('int_values_normalised') }}
    where normalised_score is not null
),

-- aggregated per city, year and pillar before the join with the coverage rows: the join then
-- matches one row per pillar score instead of one per indicator value (bench/FINDINGS.md)
weighted as (
    select
        year,
        city_id,
        pillar,
        {{ aggregate_scores('normalised_score', 'weight', method) }} as score,
        count(*) as indicators_scored,
        count(*) filter (where is_imputed) as indicators_imputed
    from scores
    group by year, city_id, pillar
),

pillars as (
    select
        c.year,
        c.city_id,
        c.pillar,
        w.score,
        c.coverage,
        c.indicators_total,
        c.indicators_observed,
        cast(coalesce(w.indicators_scored, 0) as integer) as indicators_scored,
        cast(coalesce(w.indicators_imputed, 0) as integer) as indicators_imputed,
        case
            when w.score is null then coalesce(c.not_covered_reason, 'no indicator scored')
        end as score_missing_reason
    from coverage as c
    -- only a covered city's pillar takes its aggregate
    left join weighted as w
        on
            w.year = c.year and w.city_id = c.city_id and w.pillar = c.pillar
            and c.is_covered
),

ranked as (
    select
        *,
        case
            when score is not null then rank() over (
                partition by year, pillar, score is null order by score desc
            )
        end as rank
    from pillars
),

year_on_year as (
    select
        r.*,
        r.score - p.score as score_change,
        p.rank - r.rank as rank_change
    from ranked as r
    left join ranked as p
        on p.city_id = r.city_id and p.pillar = r.pillar and p.year = r.year - 1
)

select
    year,
    city_id,
    pillar,
    score,
    cast(rank as integer) as rank,
    coverage,
    indicators_total,
    indicators_observed,
    indicators_scored,
    indicators_imputed,
    score_missing_reason,
    score_change,
    cast(rank_change as integer) as rank_change
from year_on_year
