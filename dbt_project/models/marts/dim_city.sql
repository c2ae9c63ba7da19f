-- The comparison set (seed `cities`): one row per city, and whether it is scored
-- (int_cities_admitted: observations in at least `min_pillars` pillars) or why not.
select
    c.city_id,
    c.city_name,
    c.country_iso3,
    c.is_city_state,
    c.wikidata_id,
    c.iata_codes,
    c.latitude,
    c.longitude,
    a.is_scored,
    a.pillars_observed,
    a.unscored_reason
from {{ ref('cities') }} as c
inner join {{ ref('int_cities_admitted') }} as a on a.city_id = c.city_id
