{#-
    Every reporting period of the scheduled cadences inside the reporting window, with
    its deadline (feeds.md, Deadlines):

    - weekly (hazards, inspections, drills): an ISO week (Monday-Sunday), due the Monday
      after at 12:00 (deadlines.weekly: weekday 1 = Monday, hour 12). due_at =
      Monday of the week + 7 + (weekday - 1) days + hour.
    - register (enterprises, rescue_teams, reserve_depots, plans): the month M, due by the
      5th of M (deadlines.register_day).
    - relief: the month M of the data, due by the 10th of the month after
      (deadlines.relief_day).

    due_at is the last on-time instant: 12:00:00 itself is on time (12:00:01 is late);
    "by the 5th" means up to 23:59:59 of the 5th (received times have whole seconds).
    opens_after is the previous period's deadline: a file received after it and up to
    due_at counts for this period (feeds.md). late_until is the next period's deadline:
    a file after due_at and up to late_until is this period's late delivery; after that
    it is the next period's, and this one stays missing.

    A period is tracked when it lies wholly inside [window_start, window_until]
    (int_data_quality__settings).
-#}
with settings as (
    select * from {{ ref('int_data_quality__settings') }}
),

bounds as (
    select
        -- the first Monday on or after window_start
        {{ safetywh.add_days('window_start', 'cast((8 - ' ~ safetywh.iso_day_of_week('window_start') ~ ') % 7 as integer)') }} as first_week_start,
        {{ safetywh.add_days('window_until', -6) }} as last_week_start,
        -- the first 1st of a month on or after window_start, the 1st of the last month ending by window_until
        cast({{ dbt.dateadd('month', 1, dbt.date_trunc('month', safetywh.add_days('window_start', -1))) }} as date) as first_month_start,
        cast({{ dbt.dateadd('month', -1, dbt.date_trunc('month', safetywh.add_days('window_until', 1))) }} as date) as last_month_start
    from settings
),

weeks as (
    select period_start
    from {{ safetywh.date_series('(select first_week_start from bounds)', '(select last_week_start from bounds)', 'period_start', 7, 'day') }} as series
),

months as (
    select period_start
    from {{ safetywh.date_series('(select first_month_start from bounds)', '(select last_month_start from bounds)', 'period_start', 1, 'month') }} as series
),

weekly as (
    select
        'weekly' as cadence,
        {{ safetywh.period_label('weeks.period_start', 'iso_week') }} as period,
        weeks.period_start,
        {{ safetywh.add_days('weeks.period_start', 6) }} as period_end,
        {{ dbt.dateadd('hour', 'settings.weekly_hour', dbt.dateadd('day', '7 + settings.weekly_weekday - 1', 'cast(weeks.period_start as timestamp)')) }} as due_at
    from weeks
    cross join settings
),

monthly as (
    -- due(M) for a deadline on day d of month M + k: M + k months + (d - 1) days, end of day
    select
        cadence,
        {{ safetywh.period_label('months.period_start', 'month') }} as period,
        months.period_start,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'months.period_start')) }} as date) as period_end,
        {{ dbt.dateadd('second', -1, dbt.dateadd('day', 1, dbt.dateadd('day', 'due_day - 1', dbt.dateadd('month', 'months_after', 'cast(months.period_start as timestamp)')))) }} as due_at
    from months
    cross join settings  -- noqa: AL04
    cross join (
        select 'register' as cadence, 0 as months_after, register_day as due_day from settings
        union all
        select 'relief', 1, relief_day from settings
    ) as rules
)

select
    cadence, period, period_start, period_end,
    {{ dbt.dateadd('day', -7, 'due_at') }} as opens_after,
    due_at,
    {{ dbt.dateadd('day', 7, 'due_at') }} as late_until
from weekly
union all
select
    cadence, period, period_start, period_end,
    -- the previous month's deadline: same day and time one month earlier (days 1-28 exist in every month)
    {{ dbt.dateadd('month', -1, 'due_at') }} as opens_after,
    due_at,
    {{ dbt.dateadd('month', 1, 'due_at') }} as late_until
from monthly
