{#-
    The emergency plans (应急预案备案 register, latest versions): ONE row per plan.
    township_code is null for a city department's plan.
-#}
with plans as (
    select * from {{ ref('stg_ledgers__plans') }}
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
)

select
    cast(plans.plan_id as varchar) as plan_id,
    cast(plans.owner_unit as varchar) as owner_unit,
    cast(plans.township_code as varchar) as township_code,
    cast(townships.township_name as varchar) as township_name,
    cast(plans.plan_type as varchar) as plan_type,
    cast(plans.issued_on as date) as issued_on,
    cast(plans.filed_on as date) as filed_on
from plans
left join townships on townships.township_code = plans.township_code
