{#-
    Every file received (the warehouse's file register): ONE row per file, with its sender's
    and feed's Chinese names, its verdict (loaded, rejected, duplicate) and the rows it
    brought. Dashboards list rejected files and count files per sender over any dates.
-#}
with files as (
    select * from {{ ref('stg_warehouse__files') }}
),

senders as (
    select sender_code, sender_name from {{ ref('stg_profile__senders') }}
),

feeds as (
    select feed, feed_label from {{ ref('int_data_quality__feeds') }}
)

select
    cast(files.file_id as bigint) as file_id,
    cast(files.received_at as timestamp) as received_at,
    cast(files.received_on as date) as received_on,
    cast(files.sender_code as varchar) as sender_code,
    cast(coalesce(senders.sender_name, files.sender_code) as varchar) as sender_name,
    cast(files.feed as varchar) as feed,
    cast(coalesce(feeds.feed_label, files.feed) as varchar) as feed_label,
    cast(files.path as varchar) as path,
    cast(files.status as varchar) as status,
    cast(files.rows_total as integer) as rows_total,
    cast(files.rows_loaded as integer) as rows_loaded,
    cast(files.rows_quarantined as integer) as rows_quarantined,
    cast(files.rows_skipped as integer) as rows_skipped,
    cast(files.reject_code as varchar) as reject_code,
    cast(files.reason as varchar) as reason
from files
left join senders on senders.sender_code = files.sender_code
left join feeds on feeds.feed = files.feed
