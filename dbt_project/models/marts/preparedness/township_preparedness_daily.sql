{#-
    A township's preparedness as of a date (the three checks of the ranking's preparedness
    component, ranking.md), for every date of the calendar: ONE row per as_of x township
    of the profile.

    - depot_*: the township's depot record as sent (null when it sent none);
      has_depot: 已建成 with completed_on on or before as_of (kpis.md depots_completed);
    - plans_registered: plans of the township in the register (any date);
      overall_plans_filed: its 总体 plans filed on or before as_of;
    - drills_365_days: drills and trainings held in the township in the 365 days ending
      as_of (as_of - 364 .. as_of, the ranking's look-back with the profile's default 365);
      last_drill_on: the latest held on or before as_of (any year).
    Set-based: per-day counts cumulated per township (a 365-row window over the contiguous
    date spine for the look-back), no date x record join.
-#}
with dates as (
    select date_day, is_scoreboard_date from {{ ref('int_calendar__dates') }}
),

calendar as (
    select calc_start from {{ ref('int_calendar__bounds') }}
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
),

depots as (
    select township_code, status, completed_on, item_kinds, item_count
    from {{ ref('stg_ledgers__reserve_depots') }}
),

plans as (
    select township_code, plan_type, filed_on from {{ ref('stg_ledgers__plans') }}
),

plans_registered as (
    select township_code, count(*) as plans_registered
    from plans
    group by township_code
),

filed_daily as (
    select plans.township_code, greatest(plans.filed_on, calendar.calc_start) as date_day, count(*) as filed
    from plans
    cross join calendar
    where plans.plan_type = '总体' and plans.filed_on is not null
    group by plans.township_code, greatest(plans.filed_on, calendar.calc_start)
),

drills_daily as (
    select
        drills.township_code,
        greatest(drills.held_on, calendar.calc_start) as date_day,
        -- a drill before the calendar can only matter for last_drill_on
        count(*) filter (where drills.held_on >= calendar.calc_start) as drills,
        max(drills.held_on) as last_held_on
    from {{ ref('stg_ledgers__drills') }} as drills
    cross join calendar
    where drills.held_on is not null
    group by drills.township_code, greatest(drills.held_on, calendar.calc_start)
),

cumulative as (
    select
        dates.date_day,
        dates.is_scoreboard_date,
        townships.township_code,
        sum(coalesce(filed_daily.filed, 0)) over all_time as overall_plans_filed,
        sum(coalesce(drills_daily.drills, 0)) over (
            partition by townships.township_code order by dates.date_day rows between 364 preceding and current row
        ) as drills_365_days,
        max(drills_daily.last_held_on) over all_time as last_drill_on
    from dates
    cross join townships
    left join filed_daily
        on filed_daily.township_code = townships.township_code and filed_daily.date_day = dates.date_day
    left join drills_daily
        on drills_daily.township_code = townships.township_code and drills_daily.date_day = dates.date_day
    window all_time as (partition by townships.township_code order by dates.date_day)
)

select
    cast(cumulative.date_day as date) as as_of,
    cast(townships.township_code as varchar) as township_code,
    cast(townships.township_name as varchar) as township_name,
    cast(depots.status as varchar) as depot_status,
    cast(depots.completed_on as date) as depot_completed_on,
    cast(depots.item_kinds as bigint) as depot_item_kinds,
    cast(depots.item_count as bigint) as depot_item_count,
    cast(coalesce(depots.status = '已建成' and depots.completed_on <= cumulative.date_day, false) as boolean)
        as has_depot,
    cast(coalesce(plans_registered.plans_registered, 0) as bigint) as plans_registered,
    cast(cumulative.overall_plans_filed as bigint) as overall_plans_filed,
    cast(cumulative.drills_365_days as bigint) as drills_365_days,
    cast(cumulative.last_drill_on as date) as last_drill_on
from cumulative
inner join townships on townships.township_code = cumulative.township_code
left join depots on depots.township_code = cumulative.township_code
left join plans_registered on plans_registered.township_code = cumulative.township_code
where cumulative.is_scoreboard_date
