{#-
    Every reporting obligation of every sender with its verdict (on_time, late, missing,
    pending): one row per sender and scheduled period, and per event record reported.
    The alert asset reads the missing and late rows from here; dashboards list them.
    See int_data_quality__deliveries for the rules.
-#}
select
    cast(deliveries.delivery_key as varchar) as delivery_key,
    cast(deliveries.sender_code as varchar) as sender_code,
    cast(senders.sender_name as varchar) as sender_name,
    cast(deliveries.feed as varchar) as feed,
    cast(feeds.feed_label as varchar) as feed_label,
    cast(deliveries.cadence as varchar) as cadence,
    cast(deliveries.period as varchar) as period,
    cast(deliveries.record_id as varchar) as record_id,
    cast(deliveries.period_start as date) as period_start,
    cast(deliveries.period_end as date) as period_end,
    cast(deliveries.opens_after as timestamp) as opens_after,
    cast(deliveries.due_at as timestamp) as due_at,
    cast(deliveries.late_until as timestamp) as late_until,
    cast(deliveries.delivered_at as timestamp) as delivered_at,
    cast(deliveries.delivered_file_id as bigint) as delivered_file_id,
    cast(files.path as varchar) as delivered_path,
    cast(deliveries.status as varchar) as status,
    cast(deliveries.late_seconds as bigint) as late_seconds,
    cast(deliveries.as_of as timestamp) as as_of
from {{ ref('int_data_quality__deliveries') }} as deliveries
left join {{ ref('stg_profile__senders') }} as senders on senders.sender_code = deliveries.sender_code
left join {{ ref('int_data_quality__feeds') }} as feeds on feeds.feed = deliveries.feed
left join {{ ref('stg_warehouse__files') }} as files on files.file_id = deliveries.delivered_file_id
