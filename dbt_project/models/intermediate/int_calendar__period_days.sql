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
    strftime(date_day, '%G-W%V') as period,
    cast(date_trunc('week', date_day) as date) as period_start,
    cast(date_trunc('week', date_day) + interval 6 day as date) as period_end
from dates
union all
select
    date_day,
    'month',
    strftime(date_day, '%Y-%m'),
    cast(date_trunc('month', date_day) as date),
    cast(date_trunc('month', date_day) + interval 1 month - interval 1 day as date)
from dates
union all
select
    date_day,
    'quarter',
    cast(year(date_day) as varchar) || '-Q' || cast(quarter(date_day) as varchar),
    cast(date_trunc('quarter', date_day) as date),
    cast(date_trunc('quarter', date_day) + interval 3 month - interval 1 day as date)
from dates
