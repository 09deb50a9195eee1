{#-
    The 挂牌督办 list (kpis.md "Also required as tables") for every date covered by the
    data: ONE row per as_of x hazard on the list that day.

    Decision: "every open major hazard or is_supervised=是 hazard" is read as the hazards
    that are OPEN on D (found on or before D, not rectified by D) and either major (重大)
    or under listed supervision (挂牌督办 = 是); a hazard leaves the list (摘牌) the day it is
    rectified. days_overdue = D - deadline when the deadline has passed (deadline < D, the
    rule of the KPI major_hazards_overdue), else 0. The enterprise is the register's
    (latest version) by credit code, when the hazard names one.
-#}
with dates as (
    select date_day from {{ ref('int_calendar__dates') }}
    where is_scoreboard_date
),

hazards as (
    select * from {{ ref('stg_ledgers__hazards') }}
    where level = '重大' or is_supervised = '是'
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
),

enterprises as (
    select credit_code, name, sector from {{ ref('stg_ledgers__enterprises') }}
)

select
    dates.date_day as as_of,
    hazards.hazard_id,
    hazards.township_code,
    townships.township_name,
    hazards.credit_code,
    enterprises.name as enterprise_name,
    enterprises.sector,
    hazards.level,
    hazards.is_supervised,
    hazards.description,
    hazards.found_on,
    hazards.deadline,
    hazards.deadline < dates.date_day as is_overdue,
    cast(greatest(0, {{ safetywh.days_between('hazards.deadline', 'dates.date_day') }}) as integer) as days_overdue,
    {{ safetywh.days_between('hazards.found_on', 'dates.date_day') }} as days_open,
    hazards.funds_10k_cny,
    hazards.sender_code
from hazards
inner join dates
    on hazards.found_on <= dates.date_day
    and (hazards.rectified_on is null or hazards.rectified_on > dates.date_day)
left join townships on hazards.township_code = townships.township_code
left join enterprises on hazards.credit_code = enterprises.credit_code
