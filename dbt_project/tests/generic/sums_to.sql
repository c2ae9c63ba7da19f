{#-
    Fails for every group of `model` whose sum of `column_name` differs from `field` of the
    matching row of `to` by more than `tolerance`, and for every group present on one side with
    a value and null or absent on the other. Rows of `to` with a null `field` must have a null sum.
-#}
{% test sums_to(model, column_name, group_by, to, field, tolerance=1e-9) %}
with sums as (
    select {{ group_by | join(', ') }}, sum({{ column_name }}) as total
    from {{ model }}
    group by {{ group_by | join(', ') }}
),

targets as (
    select {{ group_by | join(', ') }}, {{ field }} as target
    from {{ to }}
)

select *
from sums
full outer join targets using ({{ group_by | join(', ') }})
where (total is null) != (target is null)
    or abs(total - target) > {{ tolerance }}
{% endtest %}
