{#-
    Emergency plan filing (预案备案) by the unit that drew the plans up, for every date the
    data covers: ONE row per as_of x (owner_unit, township_code) found in the plan register
    (township_code null and township_name 市直 for a city department's plans).

    issued: plans issued on or before as_of; filed: of those, filed on or before as_of;
    not_filed = issued - filed; filing_pct = 100 x filed / issued, 2 decimals, null while
    nothing is issued (kpis.md plan_filing_pct over all units). Set-based: +1 events on
    issued_on and on greatest(issued_on, filed_on), cumulated per unit.
-#}
with dates as (
    select date_day, is_scoreboard_date from {{ ref('int_calendar__dates') }}
),

calendar as (
    select calc_start from {{ ref('int_calendar__bounds') }}
),

plans as (
    select owner_unit, township_code, issued_on, filed_on
    from {{ ref('stg_ledgers__plans') }}
    where issued_on is not null
),

units as (
    select distinct owner_unit, township_code from plans
),

events as (
    select owner_unit, township_code, issued_on as event_on, 1 as issued, 0 as filed from plans
    union all
    select owner_unit, township_code, greatest(issued_on, filed_on), 0, 1 from plans where filed_on is not null
),

daily as (
    select
        events.owner_unit,
        events.township_code,
        greatest(events.event_on, calendar.calc_start) as date_day,
        sum(events.issued) as issued,
        sum(events.filed) as filed
    from events
    cross join calendar
    group by events.owner_unit, events.township_code, greatest(events.event_on, calendar.calc_start)
),

cumulative as (
    select
        dates.date_day,
        dates.is_scoreboard_date,
        units.owner_unit,
        units.township_code,
        sum(coalesce(daily.issued, 0)) over all_time as issued,
        sum(coalesce(daily.filed, 0)) over all_time as filed
    from dates
    cross join units
    left join daily
        on daily.date_day = dates.date_day
        and daily.owner_unit is not distinct from units.owner_unit
        and daily.township_code is not distinct from units.township_code
    window all_time as (partition by units.owner_unit, units.township_code order by dates.date_day)
)

select
    cast(cumulative.date_day as date) as as_of,
    cast(cumulative.owner_unit as varchar) as owner_unit,
    cast(cumulative.township_code as varchar) as township_code,
    cast(coalesce(townships.township_name, '市直') as varchar) as township_name,
    cast(cumulative.issued as bigint) as issued,
    cast(cumulative.filed as bigint) as filed,
    cast(cumulative.issued - cumulative.filed as bigint) as not_filed,
    cast(round({{ safetywh.ratio('100.0 * cumulative.filed', 'nullif(cumulative.issued, 0)') }}, 2) as double) as filing_pct
from cumulative
left join {{ ref('stg_profile__townships') }} as townships on townships.township_code = cumulative.township_code
where cumulative.is_scoreboard_date
