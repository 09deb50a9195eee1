{#-
    The date spine: every day from calc_start to calc_end (int_calendar__coverage).
    is_scoreboard_date marks the dates the daily marts are published for.
    ly_date is the same month-day one year earlier (29 February -> 28 February).
-#}
with coverage as (
    select * from {{ ref('int_calendar__coverage') }}
),

spine as (
    select date_day
    from {{ safetywh.date_series('(select calc_start from coverage)', '(select calc_end from coverage)') }} as series
)

select
    spine.date_day,
    year(spine.date_day) as year,
    cast({{ dbt.date_trunc('year', 'spine.date_day') }} as date) as year_start,
    cast({{ dbt.dateadd('year', -1, 'spine.date_day') }} as date) as ly_date,
    month(spine.date_day) = 12 and day(spine.date_day) = 31 as is_year_end,
    spine.date_day between coverage.data_start and coverage.latest_data_on as is_scoreboard_date,
    -- last year's same period lies inside the data (else last-year figures are unknown, null)
    cast({{ dbt.dateadd('year', -1, 'spine.date_day') }} as date) >= coverage.data_start as is_ly_covered,
    spine.date_day = coverage.latest_data_on as is_latest_data_date
from spine
cross join coverage
