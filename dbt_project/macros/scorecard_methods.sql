{#- The scorecard's method switches and the SQL the steps share. -#}

{#- The value of var `name`, which must be one of `choices`; a typo fails the compile. -#}
{% macro choice_var(name, choices) -%}
    {%- set value = var(name) -%}
    {%- if value not in choices -%}
        {{ exceptions.raise_compiler_error(
            "dbt var " ~ name ~ " = '" ~ value ~ "': expected one of " ~ (choices | join(', '))
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#-
    Aggregate `score` with `weight` over the rows of a group, weights renormalised over the rows
    present (the caller passes only rows with a score):
      arithmetic: sum(w * s) / sum(w)
      geometric:  exp(sum(w * ln(1 + s)) / sum(w)) - 1   (shifted by 1 so a 0 score is allowed;
                  stays within 0-100 and punishes an unbalanced profile)
    Scores are 0-100, so the result is too; the clamp only strips floating-point noise
    (a mean of 100s computed as 100.00000000000001).
-#}
{% macro aggregate_scores(score, weight, method) -%}
    {%- if method == 'geometric' -%}
    {%- set value -%}
        (exp(sum({{ weight }} * ln(1 + {{ score }})) / nullif(sum({{ weight }}), 0)) - 1)
    {%- endset -%}
    {%- else -%}
    {%- set value -%}
        (sum({{ weight }} * {{ score }}) / nullif(sum({{ weight }}), 0))
    {%- endset -%}
    {%- endif -%}
    (case when {{ value }} > 100 then 100.0 when {{ value }} < 0 then 0.0 else {{ value }} end)
{%- endmacro %}

{#-
    One term of the aggregate, for the additive decomposition of a score into contributions:
    arithmetic w * s, geometric w * ln(1 + s).
-#}
{% macro aggregate_term(score, weight, method) -%}
    {%- if method == 'geometric' -%}
    ({{ weight }} * ln(1 + {{ score }}))
    {%- else -%}
    ({{ weight }} * {{ score }})
    {%- endif -%}
{%- endmacro %}

{#- Sample skewness and excess kurtosis (Excel's SKEW and KURT, as in the JRC COIN tool). -#}
{% macro sample_skewness(x) -%}
    {{ return(adapter.dispatch('sample_skewness')(x)) }}
{%- endmacro %}
{% macro default__sample_skewness(x) -%} skewness({{ x }}) {%- endmacro %}
{#-
    Spark's skewness and kurtosis are the population ones (g1, g2); DuckDB's the sample ones:
    G1 = g1 sqrt(n (n - 1)) / (n - 2), null below 3 values or without spread;
    G2 = ((n + 1) g2 + 6) (n - 1) / ((n - 2) (n - 3)), null below 4 values or without spread.
-#}
{% macro spark__sample_skewness(x) -%}
    (case
        when count({{ x }}) >= 3 and var_pop({{ x }}) > 0
            then skewness({{ x }}) * sqrt(cast(count({{ x }}) as double) * (count({{ x }}) - 1))
                / (count({{ x }}) - 2)
    end)
{%- endmacro %}

{% macro sample_kurtosis(x) -%}
    {{ return(adapter.dispatch('sample_kurtosis')(x)) }}
{%- endmacro %}
{% macro default__sample_kurtosis(x) -%} kurtosis({{ x }}) {%- endmacro %}
{% macro spark__sample_kurtosis(x) -%}
    (case
        when count({{ x }}) >= 4 and var_pop({{ x }}) > 0
            then ((count({{ x }}) + 1) * kurtosis({{ x }}) + 6) * (count({{ x }}) - 1)
                / (cast(count({{ x }}) - 2 as double) * (count({{ x }}) - 3))
    end)
{%- endmacro %}

{#-
    A deterministic pseudo-random number in (0, 1] from the md5 of the key parts: the same key
    gives the same number on every run and machine (DuckDB's md5_number_upper: the top 64 bits).
-#}
{% macro hash_uniform(parts) -%}
    {{ return(adapter.dispatch('hash_uniform')(parts)) }}
{%- endmacro %}
{% macro default__hash_uniform(parts) -%}
    ((cast(md5_number_upper(concat_ws('|', {{ parts | join(', ') }})) as double) + 0.5)
        / 18446744073709551616.0)
{%- endmacro %}
{#-
    The same number on Spark: md5_number_upper is the md5's first 8 bytes read little-endian, so
    the hex digits of those bytes in reverse byte order, as an unsigned 64-bit decimal (conv).
-#}
{% macro spark__hash_uniform(parts) -%}
    {%- set digest = "md5(concat_ws('|', " ~ (parts | join(', ')) ~ "))" -%}
    ((cast(conv(concat(
        {%- for byte in range(7, -1, -1) -%}
        substr({{ digest }}, {{ 2 * byte + 1 }}, 2){{ ', ' if not loop.last }}
        {%- endfor -%}
    ), 16, 10) as double) + 0.5) / cast(18446744073709551616.0 as double))
{%- endmacro %}

{#- The integers 1..n as a one-column relation `n`. -#}
{% macro integers_to(n) -%}
    {{ return(adapter.dispatch('integers_to')(n)) }}
{%- endmacro %}
{% macro default__integers_to(n) -%}
    (select cast(generate_series as integer) as n from generate_series(1, {{ n }}))
{%- endmacro %}
{% macro spark__integers_to(n) -%}
    (select cast(n as integer) as n from (select explode(sequence(1, {{ n }})) as n))
{%- endmacro %}

{#-
    The rows of `relation` with what every normalisation method needs (macro normalised_score),
    over the rows of each `partition_by` group (an indicator and year): the value's `goodness`
    (negated for lower-is-better), the lo, hi, mean, sd (sample) and n of the values, and the
    goodness rank (1 = worst, ties averaged). A select statement, e.g. the body of a CTE.
    The rank sorts every group's values, so only the rank method asks for it (`with_rank`):
    over a panel of millions of values the sort is the statement's largest cost.
    `grouped`: the statistics are aggregated per group and joined back instead of computed as
    window aggregates, which buffer every (wide) row of the relation. Measured (bench/FINDINGS.md):
    cheaper in step 6 (int_values_normalised), dearer in the sensitivity model, whose relation
    (two imputation variants in a union) the engine stores before reading it twice.
-#}
{% macro select_with_normalisation_statistics(relation, partition_by, value='treated_value', direction='direction', with_rank=true, grouped=false) -%}
    {#- each statistic's column and its aggregate, computed once per group either way -#}
    {%- set statistics = {'lo': 'min', 'hi': 'max', 'mean': 'avg', 'sd': 'stddev_samp', 'n': 'count'} -%}
    {%- set partition = partition_by | join(', ') -%}
    {%- set rows = 'v.' if grouped else '' -%}
    {%- set rank_partition = rows ~ (partition_by | join(', ' ~ rows)) -%}
    select
        {{ rows }}*,
        {% if grouped -%}
        {% for name in statistics %}s.{{ name }},
        {% endfor %}
        {%- endif %}
        {%- if with_rank -%}
        rank() over (partition by {{ rank_partition }}, {{ rows }}goodness is null order by {{ rows }}goodness)
        + (count(*) over (partition by {{ rank_partition }}, {{ rows }}goodness) - 1) / 2.0
        {%- else -%}
        cast(null as double)
        {%- endif %} as goodness_rank
    from (
        select
            *,
            case when {{ direction }} = 'lower' then -{{ value }} else {{ value }} end as goodness
            {%- if not grouped %}
            {%- for name, aggregate in statistics.items() %},
            {{ aggregate }}({{ value }}) over values_compared as {{ name }}
            {%- endfor %}
        from {{ relation }}
        window values_compared as (partition by {{ partition }})
            {%- else %}
        from {{ relation }}
            {%- endif %}
    ) as v
    {%- if grouped %}
    left join (
        select
            {{ partition }}
            {%- for name, aggregate in statistics.items() %},
            {{ aggregate }}({{ value }}) as {{ name }}
            {%- endfor %}
        from {{ relation }}
        group by {{ partition }}
    ) as s
        on {% for column in partition_by %}s.{{ column }} = v.{{ column }}{{ ' and ' if not loop.last }}{% endfor %}
    {%- endif %}
{%- endmacro %}

{#-
    A treated value on the 0-100 scale by normalisation `method` (step 6), better always higher.
    `stats` names the columns that hold, per indicator and year: lo, hi, mean, sd, n and the
    value's goodness rank (1 = worst, ties averaged): select_with_normalisation_statistics.
    With no spread every city scores 50.
-#}
{% macro normalised_score(method, value, direction, lo='lo', hi='hi', mean='mean', sd='sd', n='n', goodness_rank='goodness_rank') -%}
    case
        when {{ value }} is null then null
        {% if method == 'min_max' -%}
        when {{ hi }} = {{ lo }} then 50.0
        when {{ direction }} = 'lower' then 100.0 * (({{ hi }} - {{ value }}) / ({{ hi }} - {{ lo }}))
        else 100.0 * (({{ value }} - {{ lo }}) / ({{ hi }} - {{ lo }}))
        {%- elif method == 'z_score' -%}
        when {{ n }} < 2 or {{ sd }} = 0 then 50.0
        else greatest(0.0, least(100.0,
            50.0 + 50.0 * (
                case when {{ direction }} = 'lower' then -1 else 1 end
                * ({{ value }} - {{ mean }}) / {{ sd }}
            ) / 3.0
        ))
        {%- elif method == 'rank' -%}
        when {{ n }} < 2 or {{ hi }} = {{ lo }} then 50.0
        else 100.0 * (({{ goodness_rank }} - 1) / ({{ n }} - 1))
        {%- endif %}
    end
{%- endmacro %}
