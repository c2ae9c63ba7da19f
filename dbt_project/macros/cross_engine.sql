{#-
    Where DuckDB SQL and Spark SQL differ (CITYDIP_ENGINE, docs/operations.md): one macro per
    difference, dispatched on the adapter (`default__` is DuckDB's SQL, `spark__` Spark's), so the
    models stay one project. Types are spelt so both engines read them: `string` (DuckDB's alias of
    varchar), integer, double, boolean. The method's own dispatched statistics (sample skewness,
    kurtosis, hash_uniform, integers_to) are in scorecard_methods.sql.
-#}

{#- The type of a point in time with its zone: DuckDB's timestamptz, Spark's (UTC) timestamp. -#}
{% macro type_timestamp_tz() -%}
    {{ return(adapter.dispatch('type_timestamp_tz')()) }}
{%- endmacro %}
{% macro default__type_timestamp_tz() -%} timestamp with time zone {%- endmacro %}
{% macro spark__type_timestamp_tz() -%} timestamp {%- endmacro %}

{#-
    Between a CTE's `as` and its body: computed where it is read, not stored. DuckDB stores
    (materialises) a CTE read more than once, a copy of every row, which over a large panel costs
    more than reading its inputs twice (bench/FINDINGS.md); Spark SQL always inlines a CTE and has
    no such keyword.
-#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized')()) }}
{%- endmacro %}
{% macro default__not_materialized() -%} not materialized {%- endmacro %}
{% macro spark__not_materialized() -%} {%- endmacro %}

{#-
    The materialisation of a method step (steps 2, 4 and 5) that DuckDB computes where it is read:
    a view, whose readers inline or store its rows as each needs (macro not_materialized). Spark
    SQL inlines every view and CTE into its readers, so the chain of steps, each read several
    times, grew a plan past the driver's memory: on Spark each step is stored as a table.
-#}
{% macro step_materialization() -%}
    {{ return(adapter.dispatch('step_materialization')()) }}
{%- endmacro %}
{% macro default__step_materialization() -%} {{ return('view') }} {%- endmacro %}
{% macro spark__step_materialization() -%} {{ return('table') }} {%- endmacro %}

{#-
    The keyword between two selects of the same columns: DuckDB matches them by name; Spark SQL
    has no `by name`, and every staging model has the observation contract's columns in the same
    order (macro stage_observations), so a plain `union all` is the same there.
-#}
{% macro union_all_by_name() -%}
    {{ return(adapter.dispatch('union_all_by_name')()) }}
{%- endmacro %}
{% macro default__union_all_by_name() -%} union all by name {%- endmacro %}
{% macro spark__union_all_by_name() -%} union all {%- endmacro %}

{#-
    An aggregate: the non-null `value`s of the group sorted (bytewise) and joined by `separator`;
    null when there are none.
-#}
{% macro sorted_string_agg(value, separator) -%}
    {{ return(adapter.dispatch('sorted_string_agg')(value, separator)) }}
{%- endmacro %}
{% macro default__sorted_string_agg(value, separator) -%}
    string_agg({{ value }}, '{{ separator }}' order by {{ value }})
{%- endmacro %}
{% macro spark__sorted_string_agg(value, separator) -%}
    (case
        when count({{ value }}) > 0
            then array_join(array_sort(collect_list({{ value }})), '{{ separator }}')
    end)
{%- endmacro %}

{#-
    The column `column` of seed `relation` in the order of the seed file's rows. DuckDB's rowid is
    the insertion order; on Spark a small seed is one insert written as one file in the file's
    order (spark__load_csv_rows), read back in that order.
-#}
{% macro seed_column_in_file_order(relation, column) -%}
    {{ return(adapter.dispatch('seed_column_in_file_order')(relation, column)) }}
{%- endmacro %}
{% macro default__seed_column_in_file_order(relation, column) -%}
    {%- set rows = run_query('select ' ~ column ~ ' from ' ~ relation ~ ' order by rowid') -%}
    {{ return(rows.columns[0].values() | list) }}
{%- endmacro %}
{% macro spark__seed_column_in_file_order(relation, column) -%}
    {%- set rows = run_query('select ' ~ column ~ ' from ' ~ relation) -%}
    {{ return(rows.columns[0].values() | list) }}
{%- endmacro %}

{#-
    The raw observation tables (source `raw`) where the engine reads them from. DuckDB: the tables
    the load step writes into the working database, nothing to do. Spark: one external table per
    source over the Parquet folder the load step exports (`<citydip_spark_dir>/raw/<table>/`,
    pipelines/defs/spark_export.py), re-created on every run so a new export is read. A run hook
    (on-run-start, dbt_project.yml).
-#}
{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources')()) }}
{%- endmacro %}
{% macro default__register_raw_sources() -%}
    {{ return('') }}
{%- endmacro %}
{#- adapter.execute, not run_query: over a Spark Thrift Server these statements return no result
    set for run_query to read (docs/operations.md, "Running off one machine"). -#}
{% macro spark__register_raw_sources() -%}
    {%- if execute -%}
        {%- set root = var('citydip_spark_dir', env_var('CITYDIP_SPARK_DIR', '../warehouse/build/spark')) -%}
        {%- set source_node = graph.sources.values() | selectattr('source_name', 'equalto', 'raw') | list -%}
        {%- if source_node -%}
            {%- do adapter.execute('create database if not exists ' ~ source_node[0].schema) -%}
        {%- endif -%}
        {%- for node in source_node -%}
            {%- set table = node.schema ~ '.' ~ node.identifier -%}
            {%- do adapter.execute('drop table if exists ' ~ table) -%}
            {%- do adapter.execute(
                'create table ' ~ table ~ ' using parquet location '
                ~ "'" ~ root ~ '/raw/' ~ node.identifier ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{#- The columns of a built relation as (column_name, data_type) rows, data types in upper case. -#}
{% macro relation_columns_sql(relation) -%}
    {{ return(adapter.dispatch('relation_columns_sql')(relation)) }}
{%- endmacro %}
{% macro default__relation_columns_sql(relation) -%}
    select column_name, data_type
    from information_schema.columns
    where
        table_catalog = '{{ relation.database }}'
        and table_schema = '{{ relation.schema }}'
        and table_name = '{{ relation.identifier }}'
{%- endmacro %}
{% macro spark__relation_columns_sql(relation) -%}
    {%- set columns = adapter.get_columns_in_relation(relation) if execute else [] -%}
    {%- for column in columns %}
    select '{{ column.name }}' as column_name, upper('{{ column.data_type }}') as data_type
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- if not columns %}
    select cast(null as string) as column_name, cast(null as string) as data_type where false
    {%- endif %}
{%- endmacro %}

{#- A declared data type as the engine reports it: DuckDB says VARCHAR for `string`, Spark INT for `integer`. -#}
{% macro reported_type(data_type) -%}
    {{ return(adapter.dispatch('reported_type')(data_type)) }}
{%- endmacro %}
{% macro default__reported_type(data_type) -%}
    {%- set upper = data_type | upper -%}
    {{ return({'STRING': 'VARCHAR'}.get(upper, upper)) }}
{%- endmacro %}
{% macro spark__reported_type(data_type) -%}
    {%- set upper = data_type | upper -%}
    {{ return({'INTEGER': 'INT'}.get(upper, upper)) }}
{%- endmacro %}

{#-
    dbt-spark's seed loader binds every value into the insert as '%s' unescaped through the
    `session` method (a quote in a value breaks the statement, an empty cell becomes 'None'):
    the same insert with each value a quoted, escaped literal and an empty cell a null, written
    as one file in the file's row order (COALESCE(1)), which seed_column_in_file_order reads.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }}
            select /*+ COALESCE(1) */ * from values
            {% for row in chunk -%}
            ({%- for col_name in agate_table.column_names -%}
                {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                {%- set value = row[loop.index0] -%}
                {%- if value is none -%}
                cast(null as {{ type }})
                {%- else -%}
                cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ type }})
                {%- endif -%}
                {%- if not loop.last %}, {% endif -%}
            {%- endfor -%}){%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{#- `value` matches the regular expression `pattern` as a whole (a test expression, seeds/_seeds.yml). -#}
{% macro regexp_full_match(value, pattern) -%}
    {{ return(adapter.dispatch('regexp_full_match')(value, pattern)) }}
{%- endmacro %}
{% macro default__regexp_full_match(value, pattern) -%}
    regexp_full_match({{ value }}, '{{ pattern }}')
{%- endmacro %}
{% macro spark__regexp_full_match(value, pattern) -%}
    ({{ value }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}
