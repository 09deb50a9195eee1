{#-
    Drills and trainings (应急演练与培训 ledger, latest versions): ONE row per record.
-#}
with drills as (
    select * from {{ ref('stg_ledgers__drills') }}
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
)

select
    cast(drills.drill_id as varchar) as drill_id,
    cast(drills.held_on as date) as held_on,
    cast(drills.township_code as varchar) as township_code,
    cast(townships.township_name as varchar) as township_name,
    cast(drills.kind as varchar) as kind,
    cast(drills.subject as varchar) as subject,
    cast(drills.team_id as varchar) as team_id,
    cast(drills.participants as bigint) as participants
from drills
left join townships on townships.township_code = drills.township_code
