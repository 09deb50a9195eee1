{#- The versions of the registers and events the risk level reads, each with the days it
    was the bureau's latest (macro as_of_versions), in one table: kind = depot (the day
    it was completed when 已建成), plan (a 总体 plan: the day it was filed), drill (held),
    forest_fire (started), flood_transfer (transferred); event_on is that day, null when
    the record does not count (a depot not 已建成, a plan not 总体 or not filed). -#}
with depots as (
    {{ safetywh.as_of_versions('reserve_depots', 'township', {
        'township': 'township_code', 'status': 'status', 'completed_on': 'completed_on'}) }}
),

plans as (
    {{ safetywh.as_of_versions('plans', 'plan_id', {
        'plan_id': 'plan_id', 'township': 'township_code', 'plan_type': 'plan_type', 'filed_on': 'filed_on'}) }}
),

drills as (
    {{ safetywh.as_of_versions('drills', 'drill_id', {
        'drill_id': 'drill_id', 'township': 'township_code', 'held_on': 'held_on'}) }}
),

fires as (
    {{ safetywh.as_of_versions('forest_fires', 'fire_id', {
        'fire_id': 'fire_id', 'township': 'township_code', 'started_at': 'started_at'}) }}
),

transfers as (
    {{ safetywh.as_of_versions('flood_transfers', 'transfer_id', {
        'transfer_id': 'transfer_id', 'township': 'township_code', 'transferred_on': 'transferred_on'}) }}
)

select 'depot' as kind, township_code as record_id, township_code,
    case when status = '已建成' then completed_on end as event_on, visible_from, visible_until
from depots
union all
select 'plan', plan_id, township_code,
    case when plan_type = '总体' then filed_on end, visible_from, visible_until
from plans
union all
select 'drill', drill_id, township_code, held_on, visible_from, visible_until
from drills
union all
select 'forest_fire', fire_id, township_code, cast(started_at as date), visible_from, visible_until
from fires
union all
select 'flood_transfer', transfer_id, township_code, transferred_on, visible_from, visible_until
from transfers
