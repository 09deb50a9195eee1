{#-
    One row per hazard of the ledger that has a discovery date, with what the open-hazard
    lists show about it: its township's name and its enterprise (the register's latest
    version, by credit code). A hazard is open on D when found_on <= D and it is not
    rectified by D (rectified_on null or after D).

    Why a table of spans: the lists open_hazards_daily and major_and_supervised_hazards are these
    spans crossed with the calendar, which at province scale is ~0.6 M spans but ~7.7 M
    hazard-days. Materialising the hazard-days took ~40 % of `dbt build` (docs/scaling.md);
    the lists are views over this table, and a date's list reads only the spans.
-#}
with hazards as (
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
    cast(hazards.rectified_on as date) as rectified_on,
    cast(hazards.funds_10k_cny as double) as funds_10k_cny,
    cast(hazards.sender_code as varchar) as sender_code
from hazards
left join townships on hazards.township_code = townships.township_code
left join enterprises on hazards.credit_code = enterprises.credit_code
