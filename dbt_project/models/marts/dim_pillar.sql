-- The pillars (seed `pillars`): key, display name, weight in the overall score, what it covers.
-- The one list every reader (console, cards, CLI) takes pillar names from.
select
    pillar,
    pillar_name,
    cast(weight as double) as weight,
    description
from {{ ref('pillars') }}
