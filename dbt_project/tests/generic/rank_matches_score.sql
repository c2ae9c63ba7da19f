{#-
    Fails for every row whose `column_name` (a rank, 1 is best) is not 1 + the number of rows of
    the same `partition_by` group with a strictly higher `score` (ties share a rank: SQL's rank()
    over the score, descending), or that has a rank without a score or a score without a rank.
-#}
{% test rank_matches_score(model, column_name, score, partition_by) %}
with scored as (
    select
        {{ partition_by | join(', ') }},
        {{ column_name }} as actual_rank,
        {{ score }} as score
    from {{ model }}
),

expected as (
    select
        *,
        case when score is not null then rank() over (
            partition by {{ partition_by | join(', ') }}, score is null order by score desc
        ) end as expected_rank
    from scored
)

select *
from expected
where actual_rank is distinct from expected_rank
{% endtest %}
