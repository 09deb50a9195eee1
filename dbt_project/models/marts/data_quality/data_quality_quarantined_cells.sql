{#-
    Every quarantined cell (the quarantine): ONE row per cell that broke a rule of the
    reporting specification, with the file it came in (received_at / received_on from the
    file register), its sender's and feed's Chinese names, the rule and the reason. Values
    of personal columns were masked before storage; this table shows them as stored.
-#}
with cells as (
    select * from {{ ref('stg_warehouse__quarantined_cells') }}
),

files as (
    select file_id, received_at, received_on from {{ ref('stg_warehouse__files') }}
),

senders as (
    select sender_code, sender_name from {{ ref('stg_profile__senders') }}
),

feeds as (
    select feed, feed_label from {{ ref('int_data_quality__feeds') }}
)

select
    cast(cells.file_id as bigint) as file_id,
    cast(files.received_at as timestamp) as received_at,
    cast(files.received_on as date) as received_on,
    cast(cells.sender_code as varchar) as sender_code,
    cast(coalesce(senders.sender_name, cells.sender_code) as varchar) as sender_name,
    cast(cells.feed as varchar) as feed,
    cast(coalesce(feeds.feed_label, cells.feed) as varchar) as feed_label,
    cast(cells.path as varchar) as path,
    cast(cells.row_number as integer) as row_number,
    cast(cells.record_id as varchar) as record_id,
    cast(cells.column_name as varchar) as column_name,
    cast(cells.column_header as varchar) as column_header,
    cast(cells.value as varchar) as value,
    cast(cells.rule as varchar) as rule,
    cast(cells.reason as varchar) as reason
from cells
left join files on files.file_id = cells.file_id
left join senders on senders.sender_code = cells.sender_code
left join feeds on feeds.feed = cells.feed
