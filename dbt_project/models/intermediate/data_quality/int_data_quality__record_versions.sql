-- GENERATED from pipelines/contracts by `safetywh dbt-codegen`; do not edit by hand.
{{ config(materialized='view') }}
select 'accidents' as feed, _sender_code as sender_code,
       trim(cast("accident_id" as varchar)) as record_id, _file_id as file_id
from {{ source('ledgers', 'accidents') }}
union all
select 'drills' as feed, _sender_code as sender_code,
       trim(cast("drill_id" as varchar)) as record_id, _file_id as file_id
from {{ source('ledgers', 'drills') }}
union all
select 'enterprises' as feed, _sender_code as sender_code,
       trim(cast("credit_code" as varchar)) as record_id, _file_id as file_id
from {{ source('ledgers', 'enterprises') }}
union all
select 'flood_transfers' as feed, _sender_code as sender_code,
       trim(cast("transfer_id" as varchar)) as record_id, _file_id as file_id
from {{ source('ledgers', 'flood_transfers') }}
union all
select 'forest_fires' as feed, _sender_code as sender_code,
       trim(cast("fire_id" as varchar)) as record_id, _file_id as file_id
from {{ source('ledgers', 'forest_fires') }}
union all
select 'hazards' as feed, _sender_code as sender_code,
       trim(cast("hazard_id" as varchar)) as record_id, _file_id as file_id
from {{ source('ledgers', 'hazards') }}
union all
select 'inspections' as feed, _sender_code as sender_code,
       trim(cast("inspection_id" as varchar)) as record_id, _file_id as file_id
from {{ source('ledgers', 'inspections') }}
union all
select 'plans' as feed, _sender_code as sender_code,
       trim(cast("plan_id" as varchar)) as record_id, _file_id as file_id
from {{ source('ledgers', 'plans') }}
union all
select 'relief' as feed, _sender_code as sender_code,
       trim(cast("relief_id" as varchar)) as record_id, _file_id as file_id
from {{ source('ledgers', 'relief') }}
union all
select 'rescue_teams' as feed, _sender_code as sender_code,
       trim(cast("team_id" as varchar)) as record_id, _file_id as file_id
from {{ source('ledgers', 'rescue_teams') }}
union all
select 'reserve_depots' as feed, _sender_code as sender_code,
       trim(cast("township" as varchar)) as record_id, _file_id as file_id
from {{ source('ledgers', 'reserve_depots') }}
