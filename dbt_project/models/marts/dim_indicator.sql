-- The indicator registry (seed `indicators`): each indicator's pillar (empty: context, not
-- scored), weight, direction, the geography it measures, and the unit its values are scored in
-- (per resident where the registry names the city's population as denominator), and the bounds
-- an observed value keeps within (outside them it is never scored).
select
    indicator_id,
    name,
    pillar,
    unit,
    direction,
    weight,
    source_id,
    description,
    observation_unit,
    denominator,
    geography,
    min_value,
    max_value,
    is_scored,
    is_national_host_proxy
from {{ ref('int_indicators_classified') }}
