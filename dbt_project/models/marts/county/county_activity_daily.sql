{#-
    County-wide activity month to date, for every date of the calendar: ONE row per as_of.
    A month's figure is the row of its last day, or of the chosen date while the month runs,
    so month-by-month charts and tables read rows instead of summing records.

    - inspections_mtd, penalties_mtd, fines_10k_cny_mtd: inspections of the county (any
      township) from the 1st of as_of's month through as_of, those with a penalty action
      (kpis.md: 罚款, 停产整顿, 关闭取缔, 移送司法) and their fines.
    - hazards_rectified_mtd: hazards (any level, any found date) rectified from the 1st of
      the month through as_of.
    Set-based: per-day sums cumulated with a window partitioned by month.
-#}
{%- set measures = ['inspections_mtd', 'penalties_mtd', 'fines_10k_cny_mtd', 'hazards_rectified_mtd'] -%}

with dates as (
    select date_day, is_scoreboard_date from {{ ref('int_calendar__dates') }}
),

inspections as (
    select inspected_on, action, fine_10k_cny from {{ ref('stg_ledgers__inspections') }}
),

events as (
    select 'inspections_mtd' as measure, inspected_on as event_on, cast(1 as double) as amount from inspections
    union all
    select 'penalties_mtd', inspected_on, 1 from inspections where action in {{ penalty_actions() }}
    union all
    select 'fines_10k_cny_mtd', inspected_on, coalesce(fine_10k_cny, 0) from inspections
    union all
    select 'hazards_rectified_mtd', rectified_on, 1 from {{ ref('stg_ledgers__hazards') }}
    where rectified_on is not null
),

daily as (
    select
        event_on as date_day,
{%- for measure in measures %}
        sum(amount) filter (where measure = '{{ measure }}') as {{ measure }}{{ ',' if not loop.last }}
{%- endfor %}
    from events
    where event_on is not null
    group by event_on
),

cumulative as (
    select
        dates.date_day,
        dates.is_scoreboard_date,
{%- for measure in measures %}
        sum(coalesce(daily.{{ measure }}, 0)) over this_month as {{ measure }}{{ ',' if not loop.last }}
{%- endfor %}
    from dates
    left join daily on daily.date_day = dates.date_day
    window this_month as (partition by date_trunc('month', dates.date_day) order by dates.date_day)
)

select
    date_day as as_of,
    cast(year(date_day) as integer) as year,
    cast(month(date_day) as integer) as month,
    cast(inspections_mtd as bigint) as inspections_mtd,
    cast(penalties_mtd as bigint) as penalties_mtd,
    cast(round(fines_10k_cny_mtd, 6) as double) as fines_10k_cny_mtd,
    cast(hazards_rectified_mtd as bigint) as hazards_rectified_mtd
from cumulative
where is_scoreboard_date
