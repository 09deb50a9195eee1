{#-
    Day -> period mapping (three rows per day: its ISO week, month and quarter), so that
    events join their periods on equality. Labels: ISO week 2023-W14 (ISO year, Monday to
    Sunday), month 2023-04, quarter 2023-Q2; start and end both inclusive.
-#}
with dates as (
    select date_day from {{ ref('int_calendar__dates') }}
)

select
    date_day,
    'week' as period_type,
    {{ safetywh.period_label('date_day', 'iso_week') }} as period,
    cast({{ dbt.date_trunc('week', 'date_day') }} as date) as period_start,
    cast({{ dbt.dateadd('day', 6, dbt.date_trunc('week', 'date_day')) }} as date) as period_end
from dates
union all
select
    date_day,
    'month',
    {{ safetywh.period_label('date_day', 'month') }},
    cast({{ dbt.date_trunc('month', 'date_day') }} as date),
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, dbt.date_trunc('month', 'date_day'))) }} as date)
from dates
union all
select
    date_day,
    'quarter',
    cast(year(date_day) as varchar) || '-Q' || cast(quarter(date_day) as varchar),
    cast({{ dbt.date_trunc('quarter', 'date_day') }} as date),
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, dbt.date_trunc('quarter', 'date_day'))) }} as date)
from dates
