{#-
    The alert e-mails' row problems (pipelines/lib/alerts reads this, it decides nothing):
    one row per problem EPISODE of a broken cell. A cell is identified by (sender, feed,
    record id, column, rule); an episode is an unbroken run of that sender's files of the
    feed in which the record comes broken that way, in received order (received_at, then
    file_id). A file in which the record comes without that fault ends the episode (the
    fix); breaking it again afterwards opens a new episode, a new problem. A row without a
    record id can only be matched by file: every later loaded file of that feed from that
    sender is an occurrence, and one without such a broken row fixes it.

    problem_key names an episode across runs by its first file, so the alert is sent once.
    The figures shown (rows, value, reason, file) are those of the episode's LAST broken file.
-#}
with senders as (
    select sender_code from {{ ref('stg_profile__senders') }}
),

files as (
    select file_id, feed, sender_code, path, received_at, status from {{ ref('stg_warehouse__files') }}
),

township_id_feeds as (
    select feed from {{ ref('int_data_quality__feeds') }} where record_id_is_township
),

township_keys as (
    select key, township_code from {{ ref('stg_profile__township_keys') }}
),

cells as (
    select
        q.sender_code,
        q.feed,
        -- a township record id is quarantined as written (玉潭) but loaded as its code
        case when q.feed in (select township_id_feeds.feed from township_id_feeds)
             then coalesce(township_keys.township_code, nullif(trim(q.record_id), ''))
             else nullif(trim(q.record_id), '') end as record_id,
        q.column_name, q.column_header, q.rule, q.reason, q.value, q.file_id, q.row_number, q.path,
        f.received_at
    from {{ ref('stg_warehouse__quarantined_cells') }} as q
    inner join files as f on f.file_id = q.file_id
    left join township_keys on township_keys.key = trim(q.record_id)
    where q.sender_code in (select senders.sender_code from senders)
),

identities as (
    select distinct sender_code, feed, record_id, column_name, rule from cells
),

problem_records as (
    select distinct sender_code, feed, record_id from identities where record_id is not null
),

versions as (
    select v.feed, v.sender_code, v.record_id, v.file_id from {{ ref('int_data_quality__record_versions') }} as v
    union all
    select cells.feed, cells.sender_code, cells.record_id, cells.file_id from cells
),

presence as (
    select distinct versions.feed, versions.sender_code, versions.record_id, versions.file_id
    from versions
    inner join problem_records as r
        on r.feed = versions.feed and r.sender_code = versions.sender_code and r.record_id = versions.record_id
    union
    -- without a record id, every loaded file of the feed from the sender is an occurrence
    select distinct f.feed, f.sender_code, null, f.file_id
    from files as f
    inner join (select distinct sender_code, feed from identities where record_id is null) as n
        on n.sender_code = f.sender_code and n.feed = f.feed
    where f.status = 'loaded'
),

broken_files as (
    select distinct sender_code, feed, record_id, column_name, rule, file_id from cells
),

occurrences as (
    select
        i.sender_code, i.feed, i.record_id, i.column_name, i.rule, p.file_id, f.received_at,
        b.file_id is not null as broken
    from identities as i
    inner join presence as p
        on p.feed = i.feed and p.sender_code = i.sender_code
        and p.record_id is not distinct from i.record_id
    inner join files as f on f.file_id = p.file_id
    left join broken_files as b
        on b.sender_code = i.sender_code and b.feed = i.feed
        and b.record_id is not distinct from i.record_id
        and b.column_name = i.column_name and b.rule = i.rule and b.file_id = p.file_id
),

numbered as (
    -- gaps and islands: every file without the fault starts a new episode
    select
        *,
        sum(case when broken then 0 else 1 end) over (
            partition by sender_code, feed, record_id, column_name, rule
            order by received_at, file_id rows unbounded preceding
        ) as episode
    from occurrences
),

episodes as (
    select
        sender_code, feed, record_id, column_name, rule, episode,
        {{ safetywh.first_by('file_id', 'received_at, file_id') }} as first_file_id,
        {{ safetywh.first_by('file_id', 'received_at desc, file_id desc') }} as last_file_id
    from numbered where broken
    group by sender_code, feed, record_id, column_name, rule, episode
),

fixes as (
    -- the file that opens episode e + 1 is the one that fixed episode e
    select
        sender_code, feed, record_id, column_name, rule, episode - 1 as episode,
        {{ safetywh.first_by('file_id', 'received_at, file_id') }} as fixed_file_id
    from numbered where not broken
    group by sender_code, feed, record_id, column_name, rule, episode - 1
),

display as (
    select
        sender_code, feed, record_id, column_name, rule, file_id,
        -- one cell per row, column and rule: the row numbers of a group are distinct
        {{ dbt.listagg('cast(row_number as varchar)', "','", 'order by row_number') }} as row_numbers,
        first(value order by row_number) as value,
        first(column_header) as column_header,
        first(reason) as reason,
        first(path) as path,
        first(received_at) as received_at
    from cells group by sender_code, feed, record_id, column_name, rule, file_id
)

select
    cast('row:' || e.sender_code || ':' || e.feed || ':' || coalesce(e.record_id, '') || ':'
        || e.column_name || ':' || e.rule || ':' || e.first_file_id as varchar) as problem_key,
    cast('row' as varchar) as kind,
    cast(e.sender_code as varchar) as sender_code,
    cast(e.feed as varchar) as feed,
    cast(e.first_file_id as bigint) as first_file_id,
    cast(d.file_id as bigint) as file_id,
    cast(d.path as varchar) as path,
    cast(d.received_at as timestamp) as received_at,
    cast(d.row_numbers as varchar) as row_numbers,
    cast(e.record_id as varchar) as record_id,
    cast(e.column_name as varchar) as column_name,
    cast(d.column_header as varchar) as column_header,
    cast(d.value as varchar) as value,
    cast(e.rule as varchar) as rule,
    cast(d.reason as varchar) as reason,
    cast(x.fixed_file_id as bigint) as fixed_file_id,
    cast(fixed.path as varchar) as fixed_path,
    cast(fixed.received_at as timestamp) as fixed_received_at
from episodes as e
inner join display as d
    on d.sender_code = e.sender_code and d.feed = e.feed and d.record_id is not distinct from e.record_id
    and d.column_name = e.column_name and d.rule = e.rule and d.file_id = e.last_file_id
left join fixes as x
    on x.sender_code = e.sender_code and x.feed = e.feed and x.record_id is not distinct from e.record_id
    and x.column_name = e.column_name and x.rule = e.rule and x.episode = e.episode
left join files as fixed on fixed.file_id = x.fixed_file_id
