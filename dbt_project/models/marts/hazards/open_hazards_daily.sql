{#-
    Every hazard open on a date (any level), for every date the data covers: ONE row per
    as_of x hazard found on or before as_of and not rectified by it (a township's 未整改隐患
    list; supervised_hazards is the major / 挂牌督办 subset). is_overdue: the deadline is
    before as_of; days_overdue = as_of - deadline when overdue, else 0 (the rule of the
    KPI major_hazards_overdue). The enterprise is the register's, by credit code.
    The range join yields exactly the open hazard-days (the table's rows), no more.
-#}
with dates as (
    select date_day from {{ ref('int_calendar__dates') }}
    where is_scoreboard_date
),

hazards as (
    select * from {{ ref('stg_ledgers__hazards') }}
    where found_on is not null
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
),

enterprises as (
    select credit_code, name, sector from {{ ref('stg_ledgers__enterprises') }}
)

select
    cast(dates.date_day as date) as as_of,
    cast(hazards.hazard_id as varchar) as hazard_id,
    cast(hazards.township_code as varchar) as township_code,
    cast(townships.township_name as varchar) as township_name,
    cast(hazards.credit_code as varchar) as credit_code,
    cast(enterprises.name as varchar) as enterprise_name,
    cast(enterprises.sector as varchar) as sector,
    cast(hazards.level as varchar) as level,
    cast(hazards.is_supervised as varchar) as is_supervised,
    cast(hazards.description as varchar) as description,
    cast(hazards.found_on as date) as found_on,
    cast(hazards.deadline as date) as deadline,
    cast(hazards.deadline < dates.date_day as boolean) as is_overdue,
    cast(greatest(0, {{ safetywh.days_between('hazards.deadline', 'dates.date_day') }}) as integer) as days_overdue,
    {{ safetywh.days_between('hazards.found_on', 'dates.date_day') }} as days_open,
    cast(hazards.funds_10k_cny as double) as funds_10k_cny,
    cast(hazards.sender_code as varchar) as sender_code
from hazards
inner join dates
    on hazards.found_on <= dates.date_day
    and (hazards.rectified_on is null or hazards.rectified_on > dates.date_day)
left join townships on hazards.township_code = townships.township_code
left join enterprises on hazards.credit_code = enterprises.credit_code
