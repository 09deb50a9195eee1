{#-
    The calendar's bounds, from the county profile (calendar.start, calendar.horizon): ONE row.

    Fixed by the profile, not derived from the ledgers, so that a new file rebuilds only the
    models that read its ledger: a daily mart built from the plan register does not move
    when a weekly hazards file arrives (docs/architecture.md).
    - calendar_start .. calendar_horizon: the dates the daily marts hold a row for
      (int_calendar__dates.is_scoreboard_date); last-year figures exist from one year after
      calendar_start (is_ly_covered).
    - calc_start / calc_end bound the internal spine: one year before calendar_start (for
      last-year comparisons) up to the end of the last week / month / quarter that contains
      calendar_horizon. A fact dated after the horizon is not counted anywhere:
      assert_fact_dates_within_calendar warns about it.
-#}
with parameters as (
    select calendar_start, calendar_horizon from {{ ref('int_profile__parameters') }}
)

select
    calendar_start,
    calendar_horizon,
    cast({{ dbt.dateadd('year', -1, 'calendar_start') }} as date) as calc_start,
    greatest(
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, dbt.date_trunc('quarter', 'calendar_horizon'))) }} as date),
        cast({{ dbt.dateadd('day', 6, dbt.date_trunc('week', 'calendar_horizon')) }} as date)
    ) as calc_end
from parameters
where calendar_start is not null and calendar_horizon is not null
