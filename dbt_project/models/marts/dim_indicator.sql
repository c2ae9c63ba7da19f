-- The indicator registry (seed `indicators`) with each scored indicator's pillar and weight.
select
    indicator_id,
    name,
    pillar,
    unit,
    direction,
    cast(weight as double) as weight,
    source_id,
    description
from {{ ref('indicators') }}
