-- Step 10, explain: each scored indicator's contribution, in points, to its city's pillar score
-- and overall score, so that the contributions add up to the scores exactly.
--   arithmetic: contribution_to_pillar = w~ * s, with w~ the weight renormalised over the
--     indicators present; contribution_to_overall = W~ * contribution_to_pillar, with W~ the
--     pillar weight renormalised over the pillars present.
--   geometric: with L = w~ * ln(1 + s), the pillar score P = exp(sum L) - 1 is shared in
--     proportion to L: contribution_to_pillar = P * L / sum(L); likewise the overall score is
--     shared between pillars in proportion to W~ * ln(1 + P), and a pillar's share between its
--     indicators in proportion to their contribution_to_pillar.
-- Indicators of a pillar the city is not covered in have null contributions.
{% set method = choice_var('aggregation', ['arithmetic', 'geometric']) %}
with pillars as (
    select p.year, p.city_id, p.pillar, p.score as pillar_score, w.weight as pillar_weight
    from {{ ref('int_pillar_scores_aggregated') }} as p
    inner join {{ ref('pillars') }} as w on w.pillar = p.pillar
),

pillar_shares as (
    select
        p.*,
        o.overall_score,
        p.pillar_weight / sum(p.pillar_weight) over (partition by p.year, p.city_id)
            as pillar_weight_share,
        {{ aggregate_term('p.pillar_score', 'p.pillar_weight', method) }}
        / nullif(sum({{ aggregate_term('p.pillar_score', 'p.pillar_weight', method) }})
            over (partition by p.year, p.city_id), 0) as pillar_term_share
    from pillars as p
    inner join {{ ref('int_overall_scores_aggregated') }} as o
        on o.year = p.year and o.city_id = p.city_id
    where p.pillar_score is not null
),

indicators as (
    select
        s.*,
        p.pillar_score,
        p.pillar_weight_share,
        p.pillar_term_share,
        p.overall_score,
        s.weight / sum(s.weight) over city_pillar as weight_share,
        {{ aggregate_term('s.normalised_score', 's.weight', method) }}
        / nullif(sum({{ aggregate_term('s.normalised_score', 's.weight', method) }})
            over city_pillar, 0) as term_share
    from {{ ref('int_values_normalised') }} as s
    left join pillar_shares as p
        on p.year = s.year and p.city_id = s.city_id and p.pillar = s.pillar
    where s.normalised_score is not null
    window city_pillar as (partition by s.year, s.city_id, s.pillar)
),

contributions as (
    select
        *,
        case
            when pillar_score is null then null
            {% if method == 'geometric' %}
            when pillar_score = 0 then 0.0
            else pillar_score * term_share
            {% else %}
            else weight_share * normalised_score
            {% endif %}
        end as contribution_to_pillar
    from indicators
)

select
    year,
    city_id,
    pillar,
    indicator_id,
    normalised_score,
    weight,
    weight_share,
    pillar_weight_share,
    contribution_to_pillar,
    case
        when pillar_score is null or overall_score is null then null
        {% if method == 'geometric' %}
        when overall_score = 0 or pillar_score = 0 then 0.0
        else overall_score * pillar_term_share * contribution_to_pillar / pillar_score
        {% else %}
        else pillar_weight_share * contribution_to_pillar
        {% endif %}
    end as contribution_to_overall,
    data_year,
    value_origin,
    is_imputed,
    is_proxy,
    is_approximate,
    outlier_flagged,
    is_outlier_treated,
    source_id,
    payload_sha256
from contributions
