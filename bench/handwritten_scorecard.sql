-- The city-diplomacy scorecard in ONE statement, written by hand for DuckDB, following the
-- methodology (docs/methodology.md) with imputation and outlier treatment off: a city's own
-- figure before its country's; for year Y each indicator's edition year is its latest year with
-- data for any city, at most $max_data_age years before Y; a city enters a pillar with at least
-- $min_pillar_coverage of the pillar's indicators in play that year (coverage_basis in_play);
-- min-max normalisation (inverted where lower is better, 50 without spread); arithmetic weighted
-- means per pillar and overall, renormalised over what is present; ranks. Per-capita
-- denominators are not applied (the benchmark's registry names none). The placeholder below is
-- replaced by the union of the raw.<source>_observations tables.
with obs as (
    {observations}
),

scored as (
    select indicator_id, direction, pillar, cast(weight as double) as weight
    from seeds.indicators
    where pillar is not null
),

located as (
    select c.city_id, o.indicator_id, o.period, o.value, o.geo_level
    from obs as o inner join seeds.cities as c
        on o.geo_level in ('city', 'metro') and o.geo_id = c.city_id
    union all
    select c.city_id, o.indicator_id, o.period, o.value, o.geo_level
    from obs as o inner join seeds.cities as c
        on o.geo_level = 'country' and o.geo_id = c.country_iso3
),

city_values as (
    select city_id, indicator_id, period, value
    from located
    semi join scored using (indicator_id)
    where value is not null
    qualify row_number() over (
        partition by city_id, indicator_id, period
        order by (geo_level = 'country'), (geo_level = 'metro')
    ) = 1
),

years as (
    select distinct period as year from obs where period >= $first_year
),

editions as (
    select y.year, i.indicator_id, max(i.period) as edition_year
    from years as y
    inner join (select distinct indicator_id, period from city_values) as i
        on i.period between y.year - $max_data_age and y.year
    group by y.year, i.indicator_id
),

selected as (
    select e.year, v.city_id, s.indicator_id, s.pillar, s.weight, s.direction, v.value
    from editions as e
    inner join city_values as v on v.indicator_id = e.indicator_id and v.period = e.edition_year
    inner join scored as s on s.indicator_id = e.indicator_id
),

normalised as (
    select
        year,
        city_id,
        pillar,
        weight,
        case
            when max(value) over w = min(value) over w then 50.0
            when direction = 'lower'
                then 100.0 * ((max(value) over w - value) / (max(value) over w - min(value) over w))
            else 100.0 * ((value - min(value) over w) / (max(value) over w - min(value) over w))
        end as score
    from selected
    window w as (partition by year, indicator_id)
),

in_play as (
    select e.year, s.pillar, count(*) as indicators
    from editions as e inner join scored as s on s.indicator_id = e.indicator_id
    group by e.year, s.pillar
),

pillar_scores as (
    select n.city_id, n.year, n.pillar, sum(n.score * n.weight) / sum(n.weight) as score
    from normalised as n
    inner join in_play as i on i.year = n.year and i.pillar = n.pillar
    group by n.city_id, n.year, n.pillar
    having count(*) >= $min_pillar_coverage * any_value(i.indicators)
)

select
    p.city_id,
    p.year,
    sum(p.score * w.weight) / sum(w.weight) as overall_score,
    rank() over (partition by p.year order by sum(p.score * w.weight) / sum(w.weight) desc)
        as overall_rank
from pillar_scores as p
inner join seeds.pillars as w on w.pillar = p.pillar
group by p.city_id, p.year
