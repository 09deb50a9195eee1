{#-
    The emergency supply depots (应急物资储备库 register, latest versions): ONE row per depot
    reported, i.e. per township that sent its depot record (townships that did not are
    absent; township_preparedness_daily lists every township).
-#}
with depots as (
    select * from {{ ref('stg_ledgers__reserve_depots') }}
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
)

select
    cast(depots.township_code as varchar) as township_code,
    cast(townships.township_name as varchar) as township_name,
    cast(depots.status as varchar) as status,
    cast(depots.completed_on as date) as completed_on,
    cast(depots.item_kinds as bigint) as item_kinds,
    cast(depots.item_count as bigint) as item_count
from depots
left join townships on townships.township_code = depots.township_code
