{#-
    The enterprise register (企业名录, latest versions): ONE row per enterprise (public
    register data; the register's personal columns never leave raw). is_high_risk and
    has_dual_prevention are the register's 是否高危企业 = 是 and 双重预防机制 = 已建立.
-#}
with enterprises as (
    select * from {{ ref('stg_ledgers__enterprises') }}
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
)

select
    cast(enterprises.credit_code as varchar) as credit_code,
    cast(enterprises.name as varchar) as enterprise_name,
    cast(enterprises.township_code as varchar) as township_code,
    cast(townships.township_name as varchar) as township_name,
    cast(enterprises.sector as varchar) as sector,
    cast(enterprises.risk_level as varchar) as risk_level,
    cast(enterprises.is_high_risk = '是' as boolean) as is_high_risk,
    cast(enterprises.dual_prevention as varchar) as dual_prevention,
    cast(enterprises.dual_prevention = '已建立' as boolean) as has_dual_prevention,
    cast(enterprises.updated_on as date) as updated_on
from enterprises
left join townships on townships.township_code = enterprises.township_code
