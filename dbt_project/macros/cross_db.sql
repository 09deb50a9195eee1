{#-
    Cross-database spellings of the DuckDB-only SQL the models use (docs/scaling.md), each
    dispatched on the adapter: `duckdb__` is what the models write today, `default__` is
    ANSI / Trino. A model that calls these compiles for dbt-duckdb and dbt-trino alike
    (tests/test_portability.py renders both). Moving a model onto them changes no number
    on DuckDB: the duckdb__ versions are the SQL the models already run.
-#}

{#- The newest row per key: DuckDB filters a window with QUALIFY, the others need a
    subquery. `columns` is the select list of the inner query (it may add window columns). -#}
{% macro latest_rows(relation, partition_by, order_by, columns='*') -%}
    {{ return(adapter.dispatch('latest_rows', 'safetywh')(relation, partition_by, order_by, columns)) }}
{%- endmacro %}

{% macro duckdb__latest_rows(relation, partition_by, order_by, columns) -%}
    select {{ columns }} from {{ relation }}
    qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
{%- endmacro %}

{% macro default__latest_rows(relation, partition_by, order_by, columns) -%}
    select * from (
        select {{ columns }}, row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as _latest_rank
        from {{ relation }}
    ) as ranked
    where _latest_rank = 1
{%- endmacro %}

{#- Element `index` (1-based) of a list / array. -#}
{% macro list_element(list_expr, index) -%}
    {{ return(adapter.dispatch('list_element', 'safetywh')(list_expr, index)) }}
{%- endmacro %}

{% macro duckdb__list_element(list_expr, index) -%}
    ({{ list_expr }})[{{ index }}]
{%- endmacro %}

{% macro default__list_element(list_expr, index) -%}
    element_at({{ list_expr }}, {{ index }})
{%- endmacro %}

{#- A list / array literal of strings. -#}
{% macro string_list(values) -%}
    {{ return(adapter.dispatch('string_list', 'safetywh')(values)) }}
{%- endmacro %}

{% macro duckdb__string_list(values) -%}
    [{% for v in values %}'{{ v }}'{{ ", " if not loop.last }}{% endfor %}]
{%- endmacro %}

{% macro default__string_list(values) -%}
    array[{% for v in values %}'{{ v }}'{{ ", " if not loop.last }}{% endfor %}]
{%- endmacro %}

{#- One row per day from `start_date` to `end_date` (inclusive), as a derived table with
    the column `column_name`: use it in a FROM clause. -#}
{% macro date_series(start_date, end_date, column_name='date_day') -%}
    {{ return(adapter.dispatch('date_series', 'safetywh')(start_date, end_date, column_name)) }}
{%- endmacro %}

{% macro duckdb__date_series(start_date, end_date, column_name) -%}
    (select cast(unnest(generate_series(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day)) as date)
        as {{ column_name }})
{%- endmacro %}

{% macro default__date_series(start_date, end_date, column_name) -%}
    (select {{ column_name }}
     from unnest(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval '1' day)) as days ({{ column_name }}))
{%- endmacro %}

{#- The period labels of the bureau: 'iso_week' (2023-W14), 'month' (2023-04), 'date'. -#}
{% macro period_label(date_expr, kind) -%}
    {{ return(adapter.dispatch('period_label', 'safetywh')(date_expr, kind)) }}
{%- endmacro %}

{% macro duckdb__period_label(date_expr, kind) -%}
    {%- set formats = {'iso_week': '%G-W%V', 'month': '%Y-%m', 'date': '%Y-%m-%d'} -%}
    strftime({{ date_expr }}, '{{ formats[kind] }}')
{%- endmacro %}

{% macro default__period_label(date_expr, kind) -%}
    {%- if kind == 'iso_week' -%}
    format('%d-W%02d', year_of_week({{ date_expr }}), week({{ date_expr }}))
    {%- elif kind == 'month' -%}
    date_format({{ date_expr }}, '%Y-%m')
    {%- else -%}
    date_format({{ date_expr }}, '%Y-%m-%d')
    {%- endif -%}
{%- endmacro %}

{#- `n` days after a date, as a date. -#}
{% macro add_days(date_expr, n) -%}
    {{ return(adapter.dispatch('add_days', 'safetywh')(date_expr, n)) }}
{%- endmacro %}

{% macro duckdb__add_days(date_expr, n) -%}
    cast({{ date_expr }} + interval ({{ n }}) day as date)
{%- endmacro %}

{% macro default__add_days(date_expr, n) -%}
    date_add('day', {{ n }}, cast({{ date_expr }} as date))
{%- endmacro %}

{#- Whole days from `start_expr` to `end_expr` (dates). -#}
{% macro days_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('days_between', 'safetywh')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro duckdb__days_between(start_expr, end_expr) -%}
    cast(({{ end_expr }}) - ({{ start_expr }}) as integer)
{%- endmacro %}

{% macro default__days_between(start_expr, end_expr) -%}
    date_diff('day', {{ start_expr }}, {{ end_expr }})
{%- endmacro %}

{#- Exact division of two counts (DuckDB's / is exact; Trino truncates integers). -#}
{% macro ratio(numerator, denominator) -%}
    {{ return(adapter.dispatch('ratio', 'safetywh')(numerator, denominator)) }}
{%- endmacro %}

{% macro duckdb__ratio(numerator, denominator) -%}
    (({{ numerator }}) / ({{ denominator }}))
{%- endmacro %}

{% macro default__ratio(numerator, denominator) -%}
    (cast({{ numerator }} as double) / ({{ denominator }}))
{%- endmacro %}
