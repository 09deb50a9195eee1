{#-
    The date spine: every day from calc_start to calc_end (int_calendar__bounds, from the
    county profile: no ledger moves it). is_scoreboard_date marks the dates the daily marts
    hold a row for: the profile's calendar_start .. calendar_horizon. What the data covers
    (latest_data_on) is int_calendar__coverage's, which readers and the scoreboard join.
    ly_date is the same month-day one year earlier (29 February -> 28 February).
-#}
with bounds as (
    select * from {{ ref('int_calendar__bounds') }}
),

spine as (
    select date_day
    from {{ safetywh.date_series('(select calc_start from bounds)', '(select calc_end from bounds)') }} as series
)

select
    spine.date_day,
    year(spine.date_day) as year,
    cast({{ dbt.date_trunc('year', 'spine.date_day') }} as date) as year_start,
    cast({{ dbt.dateadd('year', -1, 'spine.date_day') }} as date) as ly_date,
    month(spine.date_day) = 12 and day(spine.date_day) = 31 as is_year_end,
    spine.date_day between bounds.calendar_start and bounds.calendar_horizon as is_scoreboard_date,
    -- last year's same period lies inside the calendar (else last-year figures are unknown, null)
    cast({{ dbt.dateadd('year', -1, 'spine.date_day') }} as date) >= bounds.calendar_start as is_ly_covered
from spine
cross join bounds
