{#-
    Enforcement inspections by action taken (处理措施), year to date, for every date the data
    covers: ONE row per as_of x action (every action found in the inspection ledger; zeros
    when the action was not taken in the YTD).

    inspections, hazards_found, fines_10k_cny: inspections with inspected_on in YTD, the
    hazards they found and their fines; is_penalty: the action counts as an administrative
    penalty (kpis.md: 警告, 罚款, 停产整顿, 关闭取缔; not 移送司法). Over all actions the inspections
    add up to the scoreboard's inspections, the penalty actions to its penalties.
-#}
{%- set measures = ['inspections', 'hazards_found', 'fines_10k_cny'] -%}

with dates as (
    select date_day, year, is_scoreboard_date from {{ ref('int_calendar__dates') }}
),

inspections as (
    select inspected_on, action, hazards_found, fine_10k_cny
    from {{ ref('stg_ledgers__inspections') }}
    where inspected_on is not null and action is not null
),

actions as (
    select distinct action from inspections
),

daily as (
    select
        action,
        inspected_on as date_day,
        count(*) as inspections,
        sum(coalesce(hazards_found, 0)) as hazards_found,
        sum(coalesce(fine_10k_cny, 0)) as fines_10k_cny
    from inspections
    group by action, inspected_on
),

cumulative as (
    select
        dates.date_day,
        dates.is_scoreboard_date,
        actions.action,
{%- for measure in measures %}
        sum(coalesce(daily.{{ measure }}, 0)) over ytd as {{ measure }}{{ ',' if not loop.last }}
{%- endfor %}
    from dates
    cross join actions
    left join daily on daily.action = actions.action and daily.date_day = dates.date_day
    window ytd as (partition by actions.action, dates.year order by dates.date_day)
)

select
    cast(date_day as date) as as_of,
    cast(action as varchar) as action,
    cast(inspections as bigint) as inspections,
    cast(hazards_found as bigint) as hazards_found,
    cast(round(fines_10k_cny, 6) as double) as fines_10k_cny,
    cast(action in {{ penalty_actions() }} as boolean) as is_penalty
from cumulative
where is_scoreboard_date
