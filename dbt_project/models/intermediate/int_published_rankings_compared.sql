-- The concordance check, a validity check and never a fitting target: per scorecard year, how
-- citydip's overall ranking and each pillar's ranking agree with published global-city indices
-- (seed `published_indices`), over the cities ranked by both. Both rankings are re-ranked among
-- those common cities (average ranks for ties), then Spearman's rho (Pearson correlation of the
-- two rank vectors) and Kendall's tau-b (pairwise, tie-corrected) are reported. See
-- docs/concordance.md.
{% set group_by = [
    'year', 'compares', 'index_id', 'index_name', 'edition', 'publication_year', 'sub_index'
] %}
with citydip as (
    select year, 'overall' as compares, city_id, overall_rank as citydip_rank
    from {{ ref('int_overall_scores_aggregated') }}
    where overall_rank is not null

    union all

    select year, pillar as compares, city_id, rank as citydip_rank
    from {{ ref('int_pillar_scores_aggregated') }}
    where rank is not null
),

published as (
    select
        index_id,
        index_name,
        cast(edition as string) as edition,
        cast(publication_year as integer) as publication_year,
        sub_index,
        compares_with,
        city_id,
        rank as published_rank
    from {{ ref('published_indices') }}
    where rank is not null
),

-- the cities ranked by both, for every year, compared ranking and published (sub-)index
paired as (
    select
        c.year,
        c.compares,
        p.index_id,
        p.index_name,
        p.edition,
        p.publication_year,
        p.sub_index,
        c.city_id,
        cast(c.citydip_rank as double) as citydip_rank,
        cast(p.published_rank as double) as published_rank
    from citydip as c
    inner join published as p on p.compares_with = c.compares and p.city_id = c.city_id
),

reranked as (
    select
        *,
        {{ average_rank('citydip_rank', group_by) }} as citydip_common_rank,
        {{ average_rank('published_rank', group_by) }} as published_common_rank
    from paired
),

spearman as (
    select
        {{ group_by | join(', ') }},
        cast(count(*) as integer) as n_cities,
        {{ spearman_rho('citydip_common_rank', 'published_common_rank') }} as spearman_rho,
        {{ sorted_string_agg('city_id', ' ') }} as cities
    from reranked
    group by {{ group_by | join(', ') }}
),

-- every unordered pair of common cities (tau-b is invariant to the re-ranking, so either works)
kendall as (
    select
        {% for column in group_by -%}
        i.{{ column }},
        {% endfor -%}
        {{ kendall_tau_b(
            'i.citydip_rank', 'j.citydip_rank', 'i.published_rank', 'j.published_rank'
        ) }} as kendall_tau_b
    from paired as i
    inner join paired as j
        on
            i.city_id < j.city_id
            {% for column in group_by -%}
            and j.{{ column }} = i.{{ column }}
            {% endfor %}
    group by all
),

-- citydip scores this publication (an indicator of that source with a weight) in the compared
-- pillar (any pillar for `overall`): the agreement is then partly by construction
shared as (
    select distinct source_id, pillar
    from {{ ref('indicators') }}
    where pillar is not null and weight > 0
)

select
    cast(s.year as integer) as year,
    coalesce(s.year = h.headline_year, false) as is_headline_year,
    cast(s.compares as string) as compares,
    cast(s.index_id as string) as index_id,
    cast(s.index_name as string) as index_name,
    cast(s.edition as string) as edition,
    s.publication_year,
    cast(s.sub_index as string) as sub_index,
    s.n_cities,
    cast(s.spearman_rho as double) as spearman_rho,
    cast(k.kendall_tau_b as double) as kendall_tau_b,
    s.cities,
    exists(
        select 1
        from shared as sh
        where sh.source_id = s.index_id and (s.compares = 'overall' or sh.pillar = s.compares)
    ) as shares_inputs
from spearman as s
left join kendall as k
    on
        k.{{ group_by[0] }} = s.{{ group_by[0] }}
        {% for column in group_by[1:] -%}
        and k.{{ column }} = s.{{ column }}
        {% endfor %}
-- the edition's headline year (one row), as every surface of the edition uses it
left join {{ ref('int_headline_year_selected') }} as h on true
