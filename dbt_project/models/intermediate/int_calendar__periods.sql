{#-
    Every week, month and quarter of the calendar, with the flags the ranking uses.

    A period is ranked when it starts on or after ranking_start and on or before
    latest_data_on (int_calendar__coverage). ranking.md: a period that starts before the
    data does (the week of 2021-12-27 when the data starts on 2022-01-01) is not ranked -
    it would score every township on days nobody reported and name them all; the same
    holds for a week straddling ranking_start (decision: rankings start on 1 January of
    the first year a township sent a file, and no ranked period reaches back before it).
    A period that ends after latest_data_on is ranked (the bureau follows the current
    week / month / quarter as it goes) but flagged is_complete = false; its bulletin date
    (as_of) is latest_data_on instead of its end. The previous period is the immediately
    preceding one of the same kind (its rank gives the movement only when it is ranked).
-#}
with periods as (
    select distinct period_type, period, period_start, period_end
    from {{ ref('int_calendar__period_days') }}
),

coverage as (
    select * from {{ ref('int_calendar__coverage') }}
)

select
    periods.period_type,
    periods.period,
    periods.period_start,
    periods.period_end,
    cast({{ safetywh.days_between('periods.period_start', 'periods.period_end') }} + 1 as integer) as period_days,
    lag(periods.period) over (
        partition by periods.period_type order by periods.period_start
    ) as previous_period,
    periods.period_start >= coverage.ranking_start
        and periods.period_start <= coverage.latest_data_on as is_ranked,
    periods.period_end <= coverage.latest_data_on as is_complete,
    least(periods.period_end, coverage.latest_data_on) as as_of
from periods
cross join coverage
