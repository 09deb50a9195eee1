{#-
    The hazard counts behind the rectification rates by township and by sender, for every
    date the data covers: ONE row per as_of x (township_code, sender_code) pair found in
    the hazard ledger (latest versions). The marts sum them by township or by sender.

    As kpis.md (D = as_of, YTD = 1 January of D's year through D):
    - found_ytd: found in YTD; rectified_ytd: of those, rectified on or before D;
    - due: deadline in YTD and before D; due_ontime: of those, rectified on or before the
      deadline (hazard_ontime_rectification_pct);
    - major_found, major_rectified: the same two for major (重大) hazards
      (major_hazard_rectification_pct);
    - major_open: major, found on or before D, not rectified by D (any found year);
    - major_overdue: major, deadline before D, not rectified by D (major_hazards_overdue).
    Set-based and linear: each hazard becomes dated +1 / -1 events, cumulated by
    macros/cumulate_events.sql (YTD ones restart every 1 January and count only events of
    the same year, e.g. a deadline of 31 December is never "due" in the next year; all-time
    events before the calendar count from its first day).
-#}
{%- set ytd_measures = ['found_ytd', 'rectified_ytd', 'due', 'due_ontime', 'major_found', 'major_rectified'] -%}
{%- set all_time_measures = ['major_open', 'major_overdue'] -%}

with dates as (
    select date_day, year, is_scoreboard_date from {{ ref('int_calendar__dates') }}
),

calendar as (
    select calc_start from {{ ref('int_calendar__bounds') }}
),

hazards as (
    select township_code, sender_code, level, found_on, deadline, rectified_on
    from {{ ref('stg_ledgers__hazards') }}
    where found_on is not null
),

pairs as (
    select distinct township_code, sender_code from hazards
),

events as (
    select township_code, sender_code, 'found_ytd' as measure, found_on as event_on,
           year(found_on) as year_key, 1 as amount
    from hazards
    union all
    select township_code, sender_code, 'rectified_ytd', greatest(found_on, rectified_on), year(found_on), 1
    from hazards where rectified_on is not null
    union all
    -- deadline < D  <=>  D >= deadline + 1
    select township_code, sender_code, 'due', {{ safetywh.add_days('deadline', 1) }}, year(deadline), 1
    from hazards where deadline is not null
    union all
    select township_code, sender_code, 'due_ontime', {{ safetywh.add_days('deadline', 1) }}, year(deadline), 1
    from hazards where rectified_on <= deadline
    union all
    select township_code, sender_code, 'major_found', found_on, year(found_on), 1
    from hazards where level = '重大'
    union all
    select township_code, sender_code, 'major_rectified', greatest(found_on, rectified_on), year(found_on), 1
    from hazards where level = '重大' and rectified_on is not null
    union all
    -- open on D  <=>  found_on <= D < rectified_on
    select township_code, sender_code, 'major_open', found_on, null, 1
    from hazards where level = '重大'
    union all
    select township_code, sender_code, 'major_open', greatest(found_on, rectified_on), null, -1
    from hazards where level = '重大' and rectified_on is not null
    union all
    -- overdue on D  <=>  deadline + 1 <= D < rectified_on (overdue_before_as_of, macros/overdue.sql)
    select township_code, sender_code, 'major_overdue', {{ overdue_before_as_of_from('deadline') }}, null, 1
    from hazards where level = '重大' and deadline is not null
        and (rectified_on is null or rectified_on > {{ overdue_before_as_of_from('deadline') }})
    union all
    select township_code, sender_code, 'major_overdue', rectified_on, null, -1
    from hazards where level = '重大' and rectified_on > {{ overdue_before_as_of_from('deadline') }}
),

cumulative as (
    {{ safetywh.cumulate_events('events', ytd_measures, all_time_measures, keys=['township_code', 'sender_code'],
                                key_rows='pairs', date_columns=['is_scoreboard_date']) }}
)

select
    date_day as as_of,
    township_code,
    sender_code,
{%- for measure in ytd_measures + all_time_measures %}
    cast({{ measure }} as bigint) as {{ measure }}{{ ',' if not loop.last }}
{%- endfor %}
from cumulative
where is_scoreboard_date
