{#-
    Signal 2, an implausible run of zero reports (长期零报告), per as-of date D and township t.

    A week W is delivered when t sent a hazards file (any status: it was sent) received in
    W's deadline window (deadline(W) - 7 days, deadline(W)], ranking.md's timeliness rule
    (int_rankings__inputs). k = the number of consecutive weeks, ending with the latest
    week reported by D, each delivered and with no hazard sent by t (as held on D) found
    in it. lambda = t's mean weekly count of hazards it sent found in the 26 weeks before
    the run; p0 = exp(-lambda). Fires when k >= 4 and p0^k = exp(-lambda k) < 0.01.
    The run can reach back no further than the first week of the data (data_start).
-#}
with dates as (
    select * from {{ ref('int_signals__as_of_dates') }}
),

parameters as (
    select * from {{ ref('int_signals__parameters') }}
),

coverage as (
    select * from {{ ref('int_calendar__coverage') }}
),

townships as (
    select township_code from {{ ref('stg_profile__townships') }}
),

-- every ISO week (its Sunday) from the week holding data_start to the last as-of date
weeks as (
    select series.week_end
    from {{ safetywh.date_series(
        safetywh.add_days('(select data_start from coverage)', '7 - ' ~ safetywh.iso_day_of_week('(select data_start from coverage)')),
        '(select max(as_of) from dates)', 'week_end', 7) }} as series
),

-- the Sunday of the week a hazards file counts for: deadline(W) - 7 days < received_at <= deadline(W)
delivered as (
    select distinct
        f.sender_code as township_code,
        {{ safetywh.add_days(
            'cast(' ~ dbt.date_trunc('week', dbt.dateadd('millisecond', -1, dbt.dateadd('hour', '-parameters.weekly_deadline_hour', dbt.dateadd('day', '-(parameters.weekly_deadline_weekday - 1)', 'f.received_at')))) ~ ' as date)',
            6) }} as week_end
    from {{ ref('stg_warehouse__files') }} as f
    cross join parameters
    where f.feed = 'hazards'
),

undelivered as (
    select townships.township_code, weeks.week_end
    from weeks
    cross join townships
    left join delivered
        on delivered.township_code = townships.township_code and delivered.week_end = weeks.week_end
    where delivered.week_end is null
),

-- hazards sent by t, by the Sunday of the week they were found in, as steps of what was
-- held (macro held_steps): a few thousand rows at the province's scale instead of millions.
-- The base window runs from a Monday to a Sunday: a week's Sunday lies in it exactly when
-- its days do
hazard_versions as (
    select
        sender_code as township_code,
        {{ safetywh.add_days('found_on', '(7 - ' ~ safetywh.iso_day_of_week('found_on') ~ ')') }} as week_end,
        visible_from,
        visible_until
    from {{ ref('int_signals__hazard_versions') }}
    where sender_code in (select township_code from townships)
),

hazard_weeks as (
    {{ safetywh.held_steps('hazard_versions', ['township_code', 'week_end'], {'hazards': '1'}) }}
),

-- the latest week ending on or before latest_week_end that breaks the run
breaks as (
    select as_of, township_code, max(week_end) as break_week_end
    from (
        select dates.as_of, undelivered.township_code, undelivered.week_end
        from dates
        inner join undelivered on undelivered.week_end <= dates.latest_week_end
        union all
        select dates.as_of, h.township_code, h.week_end
        from dates
        inner join hazard_weeks as h
            on h.week_end <= dates.latest_week_end
            and {{ safetywh.visible_on('h', 'dates.as_of') }}
    ) as candidates
    group by as_of, township_code
),

runs as (
    select
        dates.as_of,
        dates.latest_week_end,
        townships.township_code,
        cast({{ safetywh.days_between(
            'coalesce(breaks.break_week_end, ' ~ safetywh.add_days('(select min(week_end) from weeks)', -7) ~ ')',
            'dates.latest_week_end') }} / 7 as integer) as run_weeks
    from dates
    cross join townships
    left join breaks
        on breaks.as_of = dates.as_of and breaks.township_code = townships.township_code
),

-- the 26 weeks before the run: (run start - 7 x 26, run start - 1]
base_windows as (
    select
        runs.*,
        {{ safetywh.add_days('runs.latest_week_end', '-7 * runs.run_weeks') }} as base_end,
        {{ safetywh.add_days('runs.latest_week_end', '-7 * (runs.run_weeks + parameters.zero_base_weeks) + 1') }} as base_start
    from runs
    cross join parameters
),

base as (
    select b.as_of, b.township_code, sum(h.hazards) as base_count
    from base_windows as b
    inner join hazard_weeks as h
        on h.township_code = b.township_code
        and h.week_end between b.base_start and b.base_end
        and {{ safetywh.visible_on('h', 'b.as_of') }}
    group by b.as_of, b.township_code
)

select
    b.as_of,
    b.township_code,
    b.run_weeks,
    case when b.run_weeks > 0 then {{ safetywh.add_days('b.base_end', 1) }} end as run_start,
    cast(coalesce(base.base_count, 0) as integer) as base_count,
    {{ safetywh.ratio('coalesce(base.base_count, 0)', 'parameters.zero_base_weeks') }} as lambda,  -- noqa: PRS
    exp(-{{ safetywh.ratio('coalesce(base.base_count, 0)', 'parameters.zero_base_weeks') }} * b.run_weeks) as p,
    b.run_weeks >= parameters.zero_run_min
        and exp(-{{ safetywh.ratio('coalesce(base.base_count, 0)', 'parameters.zero_base_weeks') }} * b.run_weeks) < parameters.zero_p_max as fires
from base_windows as b
cross join parameters
left join base
    on base.as_of = b.as_of and base.township_code = b.township_code
