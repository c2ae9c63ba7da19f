{#- Rank statistics for scorecard_concordance (docs/concordance.md). -#}

{#-
    The average rank of `value` (1 = smallest) within `partition_by`: tied values share the mean
    of the ranks they span (1, 2, 2, 4 -> 1, 2.5, 2.5, 4), as Spearman's rho with ties requires.
-#}
{% macro average_rank(value, partition_by) -%}
    (rank() over (partition by {{ partition_by | join(', ') }} order by {{ value }})
        + (count(*) over (partition by {{ partition_by | join(', ') }}, {{ value }}) - 1) / 2.0)
{%- endmacro %}

{#-
    Spearman's rho as an aggregate: the Pearson correlation of the two average-rank vectors of the
    group (the tie-corrected form). Null with fewer than `min_n` rows or when either ranking is
    constant (all tied), where it is undefined. Rounded to 12 decimals: strips the floating-point
    noise of corr() (a perfect agreement computed as 0.9999999999999998).
-#}
{% macro spearman_rho(x_rank, y_rank, min_n=3) -%}
    (case
        when count(*) >= {{ min_n }} and var_pop({{ x_rank }}) > 0 and var_pop({{ y_rank }}) > 0
            then round(corr({{ x_rank }}, {{ y_rank }}), 12)
    end)
{%- endmacro %}

{#-
    Kendall's tau-b as an aggregate over the unordered pairs (i, j) of a group, one row per pair
    (a self-join on i < j), given both rankings of i and of j:
      (concordant - discordant) / sqrt((n0 - n1) (n0 - n2))
    where sign(x_i - x_j) * sign(y_i - y_j) is +1 for a concordant pair, -1 for a discordant one
    and 0 for a pair tied in either ranking, and n0 - n1 (n0 - n2) is the number of pairs not tied
    in x (in y). Null with fewer than `min_n` cities (min_n (min_n - 1) / 2 pairs) or when either
    ranking is all ties. Rounded to 12 decimals, like spearman_rho.
-#}
{% macro kendall_tau_b(x_i, x_j, y_i, y_j, min_n=3) -%}
    (case
        when count(*) >= {{ (min_n * (min_n - 1) / 2) | int }}
            and count(*) filter (where {{ x_i }} <> {{ x_j }}) > 0
            and count(*) filter (where {{ y_i }} <> {{ y_j }}) > 0
            then round(
                sum(sign({{ x_i }} - {{ x_j }}) * sign({{ y_i }} - {{ y_j }}))
                    / sqrt(
                        cast(count(*) filter (where {{ x_i }} <> {{ x_j }}) as double)
                        * count(*) filter (where {{ y_i }} <> {{ y_j }})
                    ),
                12
            )
    end)
{%- endmacro %}
