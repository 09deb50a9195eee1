{#-
    The dates the signals and the risk level are computed as of: every Sunday from the
    first data day to the latest data day (the weekly run), and the latest data day itself
    (the view "today", when it is not a Sunday).

    latest_week_end: the Sunday of the latest ISO week reported by D, i.e. whose hazards
    ledger deadline (the Monday after it at 12:00, profile deadlines.weekly) falls on or
    before D: on a Sunday D the week ending that day is not yet due (D - 7); on a Monday D
    the week that ended the day before is (D - 1). "The last k weeks" end with it.
-#}
with coverage as (
    select * from {{ ref('int_calendar__coverage') }}
),

parameters as (
    select * from {{ ref('int_signals__parameters') }}
),

days as (
    select dates.date_day as as_of
    from {{ ref('int_calendar__dates') }} as dates
    cross join coverage
    where dates.date_day between coverage.data_start and coverage.latest_data_on
      and ({{ safetywh.iso_day_of_week('dates.date_day') }} = 7 or dates.date_day = coverage.latest_data_on)
),

-- the latest day on which a week's deadline may fall: D less the deadline's offset from the week's Sunday
shifted as (
    select
        days.as_of,
        {{ safetywh.add_days('days.as_of', '-(parameters.weekly_deadline_weekday + cast(floor(parameters.weekly_deadline_hour / 24.0) as integer))') }} as last_sunday_candidate
    from days
    cross join parameters
)

select
    as_of,
    {{ safetywh.iso_day_of_week('as_of') }} = 7 as is_sunday,
    {{ safetywh.add_days('last_sunday_candidate', '-(' ~ safetywh.iso_day_of_week('last_sunday_candidate') ~ ' % 7)') }} as latest_week_end
from shifted
