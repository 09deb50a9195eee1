{#-
    The scoreboard by township (kpis.md "Also required as tables") for every date covered
    by the data: ONE row per as_of x township, all 29 townships every date.

    - accidents / deaths: YTD vs LY-same-period with change and wording as the scoreboard.
    - open_major_hazards: major (重大) hazards found on or before D, not rectified by D.
    - overdue_major_hazards: those of them with deadline < D (same rule as the KPI
      major_hazards_overdue: any found year).
    - inspections, forest_fires, forest_fire_damaged_ha: YTD; inspections_ly and
      forest_fires_ly: LY-same-period.
    Open / overdue counts are cumulated from +1 / -1 events (macros/cumulate_events.sql),
    not by a date x hazard join.
-#}
{%- set ytd_measures = ['accidents', 'deaths', 'inspections', 'forest_fires', 'forest_fire_damaged_ha'] -%}
{%- set all_time_measures = ['open_major_hazards', 'overdue_major_hazards'] -%}

with dates as (
    select date_day, year, ly_date, is_scoreboard_date, is_ly_covered
    from {{ ref('int_calendar__dates') }}
),

calendar as (
    select calc_start from {{ ref('int_calendar__bounds') }}
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
),

major_hazards as (
    select * from {{ ref('stg_ledgers__hazards') }}
    where level = '重大'
),

events as (
    select township_code, 'accidents' as measure, occurred_on as event_on, year(occurred_on) as year_key,
           cast(1 as double) as amount
    from {{ ref('int_accidents__graded') }}
    union all
    select township_code, 'deaths', occurred_on, year(occurred_on), deaths from {{ ref('int_accidents__graded') }}
    union all
    select township_code, 'inspections', inspected_on, year(inspected_on), 1 from {{ ref('stg_ledgers__inspections') }}
    union all
    select township_code, 'forest_fires', started_on, year(started_on), 1 from {{ ref('int_forest_fires__graded') }}
    union all
    select township_code, 'forest_fire_damaged_ha', started_on, year(started_on), damaged_forest_ha
    from {{ ref('int_forest_fires__graded') }}
    union all
    -- open on D  <=>  found_on <= D < rectified_on
    select township_code, 'open_major_hazards', found_on, null, 1 from major_hazards
    union all
    select township_code, 'open_major_hazards', greatest(found_on, rectified_on), null, -1
    from major_hazards where rectified_on is not null
    union all
    -- overdue on D  <=>  deadline + 1 <= D < rectified_on
    select township_code, 'overdue_major_hazards', {{ safetywh.add_days('deadline', 1) }}, null, 1 from major_hazards
    where rectified_on is null or rectified_on > {{ safetywh.add_days('deadline', 1) }}
    union all
    select township_code, 'overdue_major_hazards', rectified_on, null, -1 from major_hazards
    where rectified_on > {{ safetywh.add_days('deadline', 1) }}
),

cumulative as (
    {{ safetywh.cumulate_events('events', ytd_measures, all_time_measures, keys=['township_code'], key_rows='townships') }}
),

compared as (
    select
        dates.date_day as as_of,
        townships.township_code,
        townships.township_name,
        cast(cur.accidents as bigint) as accidents,
        cast(case when dates.is_ly_covered then ly.accidents end as bigint) as accidents_ly,
        cast(cur.deaths as bigint) as deaths,
        cast(case when dates.is_ly_covered then ly.deaths end as bigint) as deaths_ly,
        cast(cur.open_major_hazards as bigint) as open_major_hazards,
        cast(cur.overdue_major_hazards as bigint) as overdue_major_hazards,
        cast(cur.inspections as bigint) as inspections,
        cast(case when dates.is_ly_covered then ly.inspections end as bigint) as inspections_ly,
        cast(cur.forest_fires as bigint) as forest_fires,
        cast(case when dates.is_ly_covered then ly.forest_fires end as bigint) as forest_fires_ly,
        cast(round(cur.forest_fire_damaged_ha, 6) as double) as forest_fire_damaged_ha
    from dates
    cross join townships
    inner join cumulative as cur
        on cur.date_day = dates.date_day and cur.township_code = townships.township_code
    left join cumulative as ly
        on ly.date_day = dates.ly_date and ly.township_code = townships.township_code
    where dates.is_scoreboard_date
)

select
    as_of,
    township_code,
    township_name,
    accidents,
    accidents_ly,
    accidents - accidents_ly as accidents_change,
    {{ change_pct('accidents', 'accidents_ly') }} as accidents_change_pct,
    {{ change_text('accidents', 'accidents_ly') }} as accidents_change_text,
    deaths,
    deaths_ly,
    deaths - deaths_ly as deaths_change,
    {{ change_pct('deaths', 'deaths_ly') }} as deaths_change_pct,
    {{ change_text('deaths', 'deaths_ly') }} as deaths_change_text,
    open_major_hazards,
    overdue_major_hazards,
    inspections,
    inspections_ly,
    forest_fires,
    forest_fires_ly,
    forest_fire_damaged_ha
from compared
