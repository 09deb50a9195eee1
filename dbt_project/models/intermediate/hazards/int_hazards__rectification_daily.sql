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
    Set-based and linear as int_kpi__measures_daily: each hazard becomes dated +1 / -1
    events, summed per day and cumulated with windows (YTD ones restart every 1 January
    and count only events of the same year, e.g. a deadline of 31 December is never "due"
    in the next year); all-time events before the calendar count from its first day.
-#}
{%- set ytd_measures = ['found_ytd', 'rectified_ytd', 'due', 'due_ontime', 'major_found', 'major_rectified'] -%}
{%- set all_time_measures = ['major_open', 'major_overdue'] -%}

with dates as (
    select date_day, year, is_scoreboard_date from {{ ref('int_calendar__dates') }}
),

coverage as (
    select calc_start from {{ ref('int_calendar__coverage') }}
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

daily as (
    select
        events.township_code,
        events.sender_code,
        case when events.year_key is null then greatest(events.event_on, coverage.calc_start)
             else events.event_on end as date_day,
{%- for measure in ytd_measures + all_time_measures %}
        sum(events.amount) filter (where events.measure = '{{ measure }}') as {{ measure }}{{ ',' if not loop.last }}
{%- endfor %}
    from events
    cross join coverage
    where events.year_key is null or year(events.event_on) = events.year_key
    group by
        events.township_code,
        events.sender_code,
        case when events.year_key is null then greatest(events.event_on, coverage.calc_start)
             else events.event_on end
),

cumulative as (
    select
        dates.date_day,
        dates.is_scoreboard_date,
        pairs.township_code,
        pairs.sender_code,
{%- for measure in ytd_measures %}
        sum(coalesce(daily.{{ measure }}, 0)) over ytd as {{ measure }},
{%- endfor %}
{%- for measure in all_time_measures %}
        sum(coalesce(daily.{{ measure }}, 0)) over all_time as {{ measure }}{{ ',' if not loop.last }}
{%- endfor %}
    from dates
    cross join pairs
    left join daily
        on daily.date_day = dates.date_day
        and daily.township_code is not distinct from pairs.township_code
        and daily.sender_code is not distinct from pairs.sender_code
    window
        ytd as (partition by pairs.township_code, pairs.sender_code, dates.year order by dates.date_day),
        all_time as (partition by pairs.township_code, pairs.sender_code order by dates.date_day)
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
