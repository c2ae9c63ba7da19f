-- The city-diplomacy scorecard in ONE statement, written by hand for DuckDB: min-max
-- normalisation (inverted where lower is better), arithmetic weighted means per pillar and
-- overall, ranks. Same rules as the dbt models: for year Y an indicator uses its latest value at
-- most $max_data_age years old, a city's own figure before its country's. The placeholder below is
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
    select c.city_id, o.indicator_id, o.period, o.value, false as is_country
    from obs as o inner join seeds.cities as c
        on o.geo_level in ('city', 'metro') and o.geo_id = c.city_id
    union all
    select c.city_id, o.indicator_id, o.period, o.value, true as is_country
    from obs as o inner join seeds.cities as c
        on o.geo_level = 'country' and o.geo_id = c.country_iso3
),

-- each value serves from its year until the year before the next value, at most max_data_age
-- years; ordering a country figure before the city's own of the same year gives it no years
spans as (
    select
        l.*,
        least(
            coalesce(lead(l.period) over w - 1, l.period + $max_data_age),
            l.period + $max_data_age
        ) as until
    from located as l
    semi join scored as s on s.indicator_id = l.indicator_id
    window w as (partition by l.city_id, l.indicator_id order by l.period, l.is_country desc)
),

years as (
    select distinct period as year from obs where period >= $first_year
),

normalised as (
    select
        y.year,
        s.city_id,
        i.pillar,
        i.weight,
        case
            when max(s.value) over w = min(s.value) over w then 100.0
            when i.direction = 'lower'
                then 100.0 * ((max(s.value) over w - s.value) / (max(s.value) over w - min(s.value) over w))
            else 100.0 * ((s.value - min(s.value) over w) / (max(s.value) over w - min(s.value) over w))
        end as score
    from years as y
    inner join spans as s on y.year between s.period and s.until
    inner join scored as i on i.indicator_id = s.indicator_id
    window w as (partition by y.year, s.indicator_id)
),

pillar_scores as (
    select city_id, year, pillar, sum(score * weight) / sum(weight) as score
    from normalised
    group by city_id, year, pillar
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
