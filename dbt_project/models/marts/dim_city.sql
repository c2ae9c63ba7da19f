-- The comparison set (seed `cities`): one row per city.
select
    city_id,
    city_name,
    country_iso3,
    is_city_state,
    wikidata_id,
    iata_codes,
    latitude,
    longitude
from {{ ref('cities') }}
