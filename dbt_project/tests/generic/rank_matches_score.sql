{#-
    Fails for every row whose `column_name` (a rank, 1 is best) is not 1 + the number of rows of
    the same `partition_by` group with a strictly higher `score` (ties share a rank), or that has
    a rank without a score or a score without a rank.
-#}
{% test rank_matches_score(model, column_name, score, partition_by) %}
with ranked as (
    select
        {{ partition_by | join(', ') }},
        {{ column_name }} as actual_rank,
        {{ score }} as score
    from {{ model }}
),

expected as (
    select
        a.*,
        1 + (
            select count(*)
            from ranked as b
            where {% for column in partition_by -%}
                b.{{ column }} = a.{{ column }} and
            {% endfor -%}
            b.score > a.score
        ) as expected_rank
    from ranked as a
)

select *
from expected
where (actual_rank is null) != (score is null)
    or (score is not null and actual_rank != expected_rank)
{% endtest %}
