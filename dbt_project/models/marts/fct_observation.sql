-- Every validated observation from every source, in the tidy observation contract.
select
    source_id,
    indicator_id,
    geo_id,
    geo_level,
    period,
    value,
    unit,
    fetched_at,
    payload_sha256,
    approximate
from {{ ref('int_observations_unioned') }}
