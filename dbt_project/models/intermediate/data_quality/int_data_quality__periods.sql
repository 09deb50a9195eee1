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

weeks as (
    select
        cast(unnest(generate_series(
            -- the first Monday on or after window_start
            cast(window_start + cast((8 - isodow(window_start)) % 7 as integer) as timestamp),
            cast(window_until - 6 as timestamp),
            interval 7 day
        )) as date) as period_start
    from settings
),

months as (
    select
        cast(unnest(generate_series(
            -- the first 1st of a month on or after window_start
            cast(date_trunc('month', window_start - 1) + interval 1 month as timestamp),
            cast(date_trunc('month', window_until + 1) - interval 1 month as timestamp),
            interval 1 month
        )) as date) as period_start
    from settings
),

weekly as (
    select
        'weekly' as cadence,
        strftime(weeks.period_start, '%G-W%V') as period,
        weeks.period_start,
        weeks.period_start + 6 as period_end,
        cast(weeks.period_start as timestamp)
            + to_days(7 + settings.weekly_weekday - 1)
            + to_hours(settings.weekly_hour) as due_at
    from weeks
    cross join settings
),

monthly as (
    -- due(M) for a deadline on day d of month M + k: M + k months + (d - 1) days, end of day
    select
        cadence,
        strftime(months.period_start, '%Y-%m') as period,
        months.period_start,
        cast(months.period_start + interval 1 month - interval 1 day as date) as period_end,
        cast(months.period_start as timestamp)
            + to_months(months_after)
            + to_days(due_day - 1)
            + interval 1 day - interval 1 second as due_at
    from months
    cross join settings
    cross join (
        select 'register' as cadence, 0 as months_after, register_day as due_day from settings
        union all
        select 'relief', 1, relief_day from settings
    ) as rules
)

select
    cadence, period, period_start, period_end,
    due_at - interval 7 day as opens_after,
    due_at,
    due_at + interval 7 day as late_until
from weekly
union all
select
    cadence, period, period_start, period_end,
    -- the previous month's deadline: same day and time one month earlier (days 1-28 exist in every month)
    due_at - interval 1 month as opens_after,
    due_at,
    due_at + interval 1 month as late_until
from monthly
