-- The indicator registry (seed `indicators`): each scored indicator's pillar, weight and
-- direction, and the unit its values are scored in (per denominator where the registry names one).
select
    indicator_id,
    name,
    pillar,
    case
        when denominator is null then unit
        when denominator = 'population' then unit || ' per capita'
        else unit || ' per ' || denominator
    end as unit,
    direction,
    cast(weight as double) as weight,
    source_id,
    description,
    unit as observation_unit,
    denominator
from {{ ref('indicators') }}
