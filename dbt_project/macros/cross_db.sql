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
    {%- if values | length == 0 -%}
    cast([] as varchar[])
    {%- else -%}
    [{% for v in values %}'{{ v }}'{{ ", " if not loop.last }}{% endfor %}]
    {%- endif -%}
{%- endmacro %}

{% macro default__string_list(values) -%}
    {%- if values | length == 0 -%}
    cast(array[] as array(varchar))
    {%- else -%}
    array[{% for v in values %}'{{ v }}'{{ ", " if not loop.last }}{% endfor %}]
    {%- endif -%}
{%- endmacro %}

{#- A string split at a delimiter, as a list / array of strings. -#}
{% macro split_to_list(string_expr, delimiter) -%}
    {{ return(adapter.dispatch('split_to_list', 'safetywh')(string_expr, delimiter)) }}
{%- endmacro %}

{% macro duckdb__split_to_list(string_expr, delimiter) -%}
    string_split({{ string_expr }}, {{ delimiter }})
{%- endmacro %}

{% macro default__split_to_list(string_expr, delimiter) -%}
    split({{ string_expr }}, {{ delimiter }})
{%- endmacro %}

{#- The number of elements of a list / array. -#}
{% macro list_length(list_expr) -%}
    {{ return(adapter.dispatch('list_length', 'safetywh')(list_expr)) }}
{%- endmacro %}

{% macro duckdb__list_length(list_expr) -%}
    len({{ list_expr }})
{%- endmacro %}

{% macro default__list_length(list_expr) -%}
    cardinality({{ list_expr }})
{%- endmacro %}

{#- Whether a list / array contains a value. -#}
{% macro list_contains(list_expr, value) -%}
    {{ return(adapter.dispatch('list_contains', 'safetywh')(list_expr, value)) }}
{%- endmacro %}

{% macro duckdb__list_contains(list_expr, value) -%}
    list_contains({{ list_expr }}, {{ value }})
{%- endmacro %}

{% macro default__list_contains(list_expr, value) -%}
    contains({{ list_expr }}, {{ value }})
{%- endmacro %}

{#- The first value of a group in the given order (an aggregate): an ordered first() in
    DuckDB, the first element of an ordered array elsewhere. -#}
{% macro first_by(expr, order_by) -%}
    {{ return(adapter.dispatch('first_by', 'safetywh')(expr, order_by)) }}
{%- endmacro %}

{% macro duckdb__first_by(expr, order_by) -%}
    first({{ expr }} order by {{ order_by }})
{%- endmacro %}

{% macro default__first_by(expr, order_by) -%}
    element_at(array_agg({{ expr }} order by {{ order_by }}), 1)
{%- endmacro %}

{#- The values of a group as a list / array in the given order (an aggregate; a FILTER
    clause may follow). Null when the group (or the filter) has no row. -#}
{% macro ordered_list_agg(expr, order_by) -%}
    {{ return(adapter.dispatch('ordered_list_agg', 'safetywh')(expr, order_by)) }}
{%- endmacro %}

{% macro duckdb__ordered_list_agg(expr, order_by) -%}
    list({{ expr }} order by {{ order_by }})
{%- endmacro %}

{% macro default__ordered_list_agg(expr, order_by) -%}
    array_agg({{ expr }} order by {{ order_by }})
{%- endmacro %}

{#- One row per day from `start_date` to `end_date` (inclusive), as a derived table with
    the column `column_name`: use it in a FROM clause. `step` and `unit` ('day', 'month')
    make it every 7th day, every month, ...: start, start + step, ... up to end_date.
    The bounds are scalar expressions (a scalar subquery for a column of a CTE). -#}
{% macro date_series(start_date, end_date, column_name='date_day', step=1, unit='day') -%}
    {{ return(adapter.dispatch('date_series', 'safetywh')(start_date, end_date, column_name, step, unit)) }}
{%- endmacro %}

{% macro duckdb__date_series(start_date, end_date, column_name, step, unit) -%}
    (select cast(unnest(generate_series(cast({{ start_date }} as date), cast({{ end_date }} as date), interval {{ step }} {{ unit }})) as date)
        as {{ column_name }})
{%- endmacro %}

{% macro default__date_series(start_date, end_date, column_name, step, unit) -%}
    {#- Trino's sequence() fails when the end is before the start: no row then, as in DuckDB -#}
    (select {{ column_name }}
     from unnest(if(
         cast({{ end_date }} as date) >= cast({{ start_date }} as date),
         sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval '{{ step }}' {{ unit }}),
         cast(array[] as array(date))
     )) as days ({{ column_name }}))
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


{#- ISO day of the week: Monday = 1 ... Sunday = 7. -#}
{% macro iso_day_of_week(date_expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'safetywh')(date_expr)) }}
{%- endmacro %}

{% macro duckdb__iso_day_of_week(date_expr) -%}
    isodow({{ date_expr }})
{%- endmacro %}

{% macro default__iso_day_of_week(date_expr) -%}
    day_of_week({{ date_expr }})
{%- endmacro %}

{#- An instant (a timestamp with time zone, e.g. now()) as the wall clock of a time zone
    (an expression giving its IANA name), a timestamp without time zone. Pass now() in
    the model's own code: a model reading the clock is tagged `clock` (tests/test_bench_incremental.py
    finds such models by their code and checks the tag). -#}
{% macro wall_clock(instant_expr, zone_expr) -%}
    {{ return(adapter.dispatch('wall_clock', 'safetywh')(instant_expr, zone_expr)) }}
{%- endmacro %}

{% macro duckdb__wall_clock(instant_expr, zone_expr) -%}
    cast(timezone({{ zone_expr }}, {{ instant_expr }}) as timestamp)
{%- endmacro %}

{% macro default__wall_clock(instant_expr, zone_expr) -%}
    cast(at_timezone({{ instant_expr }}, {{ zone_expr }}) as timestamp)
{%- endmacro %}

{#- A number as text with exactly `digits` decimals (0.5 -> '0.5', 12 -> '12.0'); round it
    first (round_half_up), the formatting itself is not the rounding rule. -#}
{% macro fixed_decimals(expr, digits) -%}
    {{ return(adapter.dispatch('fixed_decimals', 'safetywh')(expr, digits)) }}
{%- endmacro %}

{% macro duckdb__fixed_decimals(expr, digits) -%}
    printf('%.{{ digits }}f', cast({{ expr }} as double))
{%- endmacro %}

{% macro default__fixed_decimals(expr, digits) -%}
    format('%.{{ digits }}f', cast({{ expr }} as double))
{%- endmacro %}

{#- For every row of `left`, the columns of the first row of `right` (same `keys`) whose
    `right_time` is strictly after the left row's `left_time`; nulls when there is none
    (a left join). DuckDB probes once per left row with an ASOF join; the others rank a
    range join. `left_columns` are the left relation's columns (they identify a row),
    `right_columns` maps a right column to its output name, `tie_breaker` orders right
    rows with the same time. Renders a whole SELECT. -#}
{% macro first_after(left, right, keys, left_time, right_time, left_columns, right_columns, tie_breaker) -%}
    {{ return(adapter.dispatch('first_after', 'safetywh')(left, right, keys, left_time, right_time, left_columns, right_columns, tie_breaker)) }}
{%- endmacro %}

{% macro duckdb__first_after(left, right, keys, left_time, right_time, left_columns, right_columns, tie_breaker) -%}
    select
        {%- for column in left_columns %}
        {{ left }}.{{ column }},
        {%- endfor %}
        {%- for column, alias in right_columns.items() %}
        {{ right }}.{{ column }} as {{ alias }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ left }}
    asof left join {{ right }}
        on {% for key in keys %}{{ right }}.{{ key }} = {{ left }}.{{ key }}
        and {% endfor %}{{ left }}.{{ left_time }} < {{ right }}.{{ right_time }}
{%- endmacro %}

{% macro default__first_after(left, right, keys, left_time, right_time, left_columns, right_columns, tie_breaker) -%}
    select
        {%- for column in left_columns %}
        {{ column }},
        {%- endfor %}
        {%- for column, alias in right_columns.items() %}
        {{ alias }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            {%- for column in left_columns %}
            {{ left }}.{{ column }},
            {%- endfor %}
            {%- for column, alias in right_columns.items() %}
            {{ right }}.{{ column }} as {{ alias }},
            {%- endfor %}
            row_number() over (
                partition by {% for column in left_columns %}{{ left }}.{{ column }}{{ ", " if not loop.last }}{% endfor %}
                order by {{ right }}.{{ right_time }}, {{ right }}.{{ tie_breaker }}
            ) as _first_rank
        from {{ left }}
        left join {{ right }}
            on {% for key in keys %}{{ right }}.{{ key }} = {{ left }}.{{ key }}
            and {% endfor %}{{ left }}.{{ left_time }} < {{ right }}.{{ right_time }}
    ) as ranked
    where _first_rank = 1
{%- endmacro %}
