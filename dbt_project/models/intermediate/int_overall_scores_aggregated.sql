-- Steps 7 and 8 for the overall score: the pillar scores present aggregated with the pillar
-- weights of seed `pillars`, renormalised over the pillars present, by var `aggregation`
-- (as for pillars); the rank among the cities of the year, and the change since the previous
-- year: score points, and places gained (previous rank - rank). A city with fewer than
-- `min_pillars` pillar scores gets no overall score and no rank, with the reason. The change is
-- computed only like with like: both years score every pillar of seed `pillars` (neither is a
-- partial year, scorecard_edition.is_partial) and the city has as many pillar scores in both;
-- otherwise it is null, never a drop or gain due to coverage alone.
{% set method = choice_var('aggregation', ['arithmetic', 'geometric']) %}
with pillars as (
    select p.*, w.weight
    from {{ ref('int_pillar_scores_aggregated') }} as p
    inner join {{ ref('pillars') }} as w on w.pillar = p.pillar
),

aggregated as (
    select
        year,
        city_id,
        {{ aggregate_scores('score', 'weight', method) }} as overall_score,
        count(*) as pillars_scored
    from pillars
    where score is not null
    group by year, city_id
),

weighted as (
    select
        year,
        city_id,
        case when pillars_scored >= {{ var('min_pillars') }} then overall_score end
            as overall_score,
        pillars_scored
    from aggregated
),

-- a year is full when every pillar of the seed has a score for some city that year
full_years as (
    select year
    from pillars
    where score is not null
    group by year
    having count(distinct pillar) = (select count(*) from {{ ref('pillars') }})
),

city_years as (
    select distinct year, city_id from pillars
),

ranked as (
    select
        cy.year,
        cy.city_id,
        w.overall_score,
        cast(coalesce(w.pillars_scored, 0) as integer) as pillars_scored,
        case
            when w.overall_score is null
                then
                    cast(coalesce(w.pillars_scored, 0) as string)
                    || ' pillar score(s), below min_pillars {{ var("min_pillars") }}: unranked'
        end as overall_missing_reason,
        case
            when w.overall_score is not null then rank() over (
                partition by cy.year, w.overall_score is null order by w.overall_score desc
            )
        end as overall_rank
    from city_years as cy
    left join weighted as w on w.year = cy.year and w.city_id = cy.city_id
),

year_on_year as (
    select
        r.*,
        r.overall_score - p.overall_score as overall_score_change,
        p.overall_rank - r.overall_rank as overall_rank_change
    from ranked as r
    left join ranked as p
        on
            p.city_id = r.city_id
            and p.year = r.year - 1
            and p.pillars_scored = r.pillars_scored
            and r.year in (select f.year from full_years as f)
            and p.year in (select f.year from full_years as f)
)

select
    year,
    city_id,
    overall_score,
    cast(overall_rank as integer) as overall_rank,
    pillars_scored,
    overall_missing_reason,
    overall_score_change,
    cast(overall_rank_change as integer) as overall_rank_change
from year_on_year
