-- A validity check, never a fitting target: per scorecard year, how citydip's overall ranking and
-- each pillar's ranking agree with published global-city indices, over the cities ranked by both
-- (int_published_rankings_compared; docs/concordance.md).
select
    year,
    is_headline_year,
    compares,
    index_id,
    index_name,
    edition,
    publication_year,
    sub_index,
    n_cities,
    spearman_rho,
    kendall_tau_b,
    cities,
    shares_inputs
from {{ ref('int_published_rankings_compared') }}
