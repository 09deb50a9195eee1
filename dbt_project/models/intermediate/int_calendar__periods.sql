{#-
    Every week, month and quarter of the calendar, with the flags the ranking uses.

    Decision: a period is ranked ("in the data") when it overlaps [ranking_start,
    latest_data_on] (int_calendar__coverage). A period that ends after latest_data_on is
    ranked too (the bureau follows the current week / month / quarter as it goes) but
    flagged is_complete = false; its bulletin date (as_of) is latest_data_on instead of
    its end. The previous period is the immediately preceding one of the same kind.
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
    periods.period_end >= coverage.ranking_start
        and periods.period_start <= coverage.latest_data_on as is_ranked,
    periods.period_end <= coverage.latest_data_on as is_complete,
    least(periods.period_end, coverage.latest_data_on) as as_of
from periods
cross join coverage
