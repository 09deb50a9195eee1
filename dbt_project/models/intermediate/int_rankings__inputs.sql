{#-
    What each township did in each ranked period (ranking.md), before any weight is
    applied: ONE row per ranked period x township (29 per period, townships with no data
    included, with zero counts).

    Events join their periods on equality through int_calendar__period_days; only the
    "as of end(P)" facts (overdue majors, depot, plan, drill look-back) are range joins
    on the few register / major-hazard rows.

    Decisions:
    - Files "sent by t and received during P": every file in a folder with sender code t
      received (modification time, Asia/Shanghai) on a day of P, whatever its feed or
      status. A rejected or duplicate file adds no loaded or quarantined rows.
    - Timeliness: week W's hazards ledger is due at W's Monday + 7 days + (weekday - 1)
      days + hour (profile deadlines.weekly; defaults: the following Monday 12:00); W is on
      time when a file of feed hazards from t (any status: it was sent) was received in
      (deadline(W) - 7 days, deadline(W)]. The weeks counted for P are those whose deadline
      falls on a day of P.
    - Drill look-back: held_on in [end(P) - (lookback - 1), end(P)] (365 days ending end(P)).
    - Plan: a plan of type 总体 whose township is t, filed on or before end(P).
-#}
with periods as (
    select * from {{ ref('int_calendar__periods') }}
    where is_ranked
),

period_days as (
    select pd.*
    from {{ ref('int_calendar__period_days') }} as pd
    inner join periods
        on pd.period_type = periods.period_type and pd.period = periods.period
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
),

parameters as (
    select * from {{ ref('int_profile__parameters') }}
),

accidents as (
    select
        pd.period_type, pd.period, a.township_code,
        count(*) as accidents,
        sum(a.deaths) as deaths,
        -- veto: a grade listed in the profile (ranking.veto_grades)
        bool_or({{ safetywh.list_contains('parameters.veto_grades', 'a.grade') }}) as veto_accident
    from {{ ref('int_accidents__graded') }} as a
    inner join period_days as pd on pd.date_day = a.occurred_on
    cross join parameters
    group by pd.period_type, pd.period, a.township_code
),

fires as (
    select
        pd.period_type, pd.period, f.township_code,
        count(*) as forest_fires,
        bool_or({{ safetywh.list_contains('parameters.veto_grades', 'f.grade') }}) as veto_fire
    from {{ ref('int_forest_fires__graded') }} as f
    inner join period_days as pd on pd.date_day = f.started_on
    cross join parameters
    group by pd.period_type, pd.period, f.township_code
),

hazards_due as (
    select
        pd.period_type, pd.period, h.township_code,
        count(*) as hazards_due,
        count(*) filter (where h.rectified_on <= h.deadline) as hazards_due_ontime
    from {{ ref('stg_ledgers__hazards') }} as h
    inner join period_days as pd on pd.date_day = h.deadline
    group by pd.period_type, pd.period, h.township_code
),

majors_overdue as (
    -- the ranking's rule (deadline <= end(P)), not the scoreboard's (deadline < D): macros/overdue.sql
    select
        periods.period_type, periods.period, h.township_code,
        count(*) as majors_overdue_at_period_end
    from {{ ref('stg_ledgers__hazards') }} as h
    inner join periods
        on {{ overdue_at_period_end('h.deadline', 'periods.period_end', rectified_on='h.rectified_on') }}
    where h.level = '重大'
    group by periods.period_type, periods.period, h.township_code
),

inspections as (
    select pd.period_type, pd.period, i.township_code, count(*) as inspections
    from {{ ref('stg_ledgers__inspections') }} as i
    inner join period_days as pd on pd.date_day = i.inspected_on
    group by pd.period_type, pd.period, i.township_code
),

depots as (
    select distinct periods.period_type, periods.period, d.township_code
    from {{ ref('stg_ledgers__reserve_depots') }} as d
    inner join periods on d.completed_on <= periods.period_end
    where d.status = '已建成'
),

plans as (
    select distinct periods.period_type, periods.period, p.township_code
    from {{ ref('stg_ledgers__plans') }} as p
    inner join periods on p.filed_on <= periods.period_end
    where p.plan_type = '总体'
),

drills as (
    select distinct periods.period_type, periods.period, d.township_code
    from {{ ref('stg_ledgers__drills') }} as d
    cross join parameters
    inner join periods
        on d.held_on <= periods.period_end
        and d.held_on > {{ safetywh.add_days('periods.period_end', '-parameters.drill_lookback_days') }}
),

files as (
    select
        pd.period_type, pd.period, f.sender_code as township_code,
        count(*) as files_received,
        sum(f.rows_loaded) as rows_loaded,
        sum(f.rows_quarantined) as rows_quarantined
    from {{ ref('stg_warehouse__files') }} as f
    inner join period_days as pd on pd.date_day = f.received_on
    group by pd.period_type, pd.period, f.sender_code
),

-- reporting weeks: every ISO week of the calendar with its hazards-ledger deadline
report_weeks as (
    select
        cast({{ dbt.date_trunc('week', 'pd.date_day') }} as date) as week_start,
        {{ dbt.dateadd('hour', 'parameters.weekly_deadline_hour', dbt.dateadd('day', '7 + parameters.weekly_deadline_weekday - 1', 'cast(' ~ dbt.date_trunc('week', 'pd.date_day') ~ ' as timestamp)')) }} as deadline_at
    from {{ ref('int_calendar__dates') }} as pd
    cross join parameters
    where {{ safetywh.iso_day_of_week('pd.date_day') }} = 1
),

-- the week each township hazards file counts for: deadline(W) - 7 days < received_at <= deadline(W)
hazard_file_weeks as (
    select distinct
        f.sender_code as township_code,
        -- received_at has whole seconds (inventory.received_at): 1 ms before is the same as 1 microsecond before
        cast({{ dbt.date_trunc('week', dbt.dateadd('millisecond', -1, dbt.dateadd('hour', '-parameters.weekly_deadline_hour', dbt.dateadd('day', '-(parameters.weekly_deadline_weekday - 1)', 'f.received_at')))) }} as date) as week_start
    from {{ ref('stg_warehouse__files') }} as f
    cross join parameters
    where f.feed = 'hazards'
),

timeliness as (
    select
        pd.period_type, pd.period, townships.township_code,
        count(*) as report_weeks_due,
        count(hazard_file_weeks.week_start) as report_weeks_on_time
    from report_weeks
    inner join period_days as pd on pd.date_day = cast(report_weeks.deadline_at as date)
    cross join townships
    left join hazard_file_weeks
        on hazard_file_weeks.township_code = townships.township_code
        and hazard_file_weeks.week_start = report_weeks.week_start
    group by pd.period_type, pd.period, townships.township_code
)

select
    periods.period_type,
    periods.period,
    periods.period_start,
    periods.period_end,
    periods.period_days,
    periods.previous_period,
    periods.is_complete,
    periods.as_of,
    townships.township_code,
    townships.township_name,
    cast(coalesce(accidents.accidents, 0) as integer) as accidents,
    cast(coalesce(accidents.deaths, 0) as integer) as deaths,
    coalesce(accidents.veto_accident, false) as veto_accident,
    cast(coalesce(fires.forest_fires, 0) as integer) as forest_fires,
    coalesce(fires.veto_fire, false) as veto_fire,
    cast(coalesce(hazards_due.hazards_due, 0) as integer) as hazards_due,
    cast(coalesce(hazards_due.hazards_due_ontime, 0) as integer) as hazards_due_ontime,
    cast(coalesce(majors_overdue.majors_overdue_at_period_end, 0) as integer) as majors_overdue_at_period_end,
    cast(coalesce(inspections.inspections, 0) as integer) as inspections,
    depots.township_code is not null as has_depot,
    plans.township_code is not null as has_plan,
    drills.township_code is not null as has_drill,
    cast(coalesce(files.files_received, 0) as integer) as files_received,
    cast(coalesce(files.rows_loaded, 0) as bigint) as rows_loaded,
    cast(coalesce(files.rows_quarantined, 0) as bigint) as rows_quarantined,
    cast(coalesce(timeliness.report_weeks_due, 0) as integer) as report_weeks_due,
    cast(coalesce(timeliness.report_weeks_on_time, 0) as integer) as report_weeks_on_time
from periods
cross join townships
{%- for cte in ['accidents', 'fires', 'hazards_due', 'majors_overdue', 'inspections', 'depots', 'plans', 'drills', 'files', 'timeliness'] %}
left join {{ cte }}
    on {{ cte }}.period_type = periods.period_type
    and {{ cte }}.period = periods.period
    and {{ cte }}.township_code = townships.township_code
{%- endfor %}
