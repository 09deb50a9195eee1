{#-
    Event feeds (accidents, forest fires, flood transfers) are due within 24 hours of the
    event time (feeds.md). One row per sender and record: the record's first received
    version, and the event time that version states.

    Decisions:
    - First received = the earliest file from that sender holding the record id, loaded
      or quarantined: a report that came on time with a typo was still on time.
    - The event time is the one of the first LOADED version (a quarantined row's time may
      be what was wrong); a record never loaded is not judged.
    - A date-only event time (flood transfers: 转移日期) is taken as the end of that day,
      the latest the event can have happened, so the report is due by the end of the
      next day.
    - The list of event feeds is written out below because dbt must see every source()
      call when it parses; at execution it is checked against the contracts' cadence.
-#}
{%- set event_feeds = ['accidents', 'flood_transfers', 'forest_fires'] -%}
{%- if execute -%}
    {%- set declared = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'ledgers' and node.meta.get('cadence') == 'event' -%}
        {%- do declared.append(node.name) -%}
    {%- endfor -%}
    {%- if declared | sort != event_feeds -%}
        {{ exceptions.raise_compiler_error("event feeds of the contracts " ~ (declared | sort) ~ " differ from " ~ event_feeds ~ " in int_data_quality__event_reports: update the list") }}
    {%- endif -%}
{%- endif %}
with versions as (
{%- for feed in event_feeds %}
    {%- set node = graph.sources.get('source.safetywh.ledgers.' ~ feed) if execute else none %}
    {%- set record_id = node.meta.record_id if node else 'record_id' %}
    {%- set event_time = node.meta.event_time if node else 'event_time' %}
    {%- set is_date = node and node.columns[event_time].meta.get('contract_type') == 'date' %}
    select
        '{{ feed }}' as feed,
        _sender_code as sender_code,
        cast({{ adapter.quote(record_id) }} as varchar) as record_id,
        {%- if is_date %}
        {{ dbt.dateadd('second', -1, dbt.dateadd('day', 1, 'cast(' ~ adapter.quote(event_time) ~ ' as timestamp)')) }} as event_at,
        {%- else %}
        cast({{ adapter.quote(event_time) }} as timestamp) as event_at,
        {%- endif %}
        _received_at as received_at,
        _file_id as file_id
    from {{ source('ledgers', feed) }}
    {{ 'union all' if not loop.last }}
{%- endfor %}
),

first_loaded as (
    select
        feed,
        sender_code,
        record_id,
        min_by(event_at, row(received_at, file_id)) as event_at,
        min(received_at) as received_at,
        min_by(file_id, row(received_at, file_id)) as file_id
    from versions
    where record_id is not null
    group by feed, sender_code, record_id
),

first_quarantined as (
    select
        cells.feed,
        cells.sender_code,
        cells.record_id,
        min(files.received_at) as received_at,
        min_by(files.file_id, row(files.received_at, files.file_id)) as file_id
    from {{ ref('stg_warehouse__quarantined_cells') }} as cells
    inner join {{ ref('stg_warehouse__files') }} as files on files.file_id = cells.file_id
    where cells.feed in ('{{ event_feeds | join("', '") }}')
      and cells.record_id is not null
    group by cells.feed, cells.sender_code, cells.record_id
)

select
    first_loaded.feed,
    first_loaded.sender_code,
    first_loaded.record_id,
    first_loaded.event_at,
    case
        when first_quarantined.received_at < first_loaded.received_at then first_quarantined.received_at
        else first_loaded.received_at
    end as first_received_at,
    case
        when first_quarantined.received_at < first_loaded.received_at then first_quarantined.file_id
        else first_loaded.file_id
    end as first_file_id
from first_loaded
left join first_quarantined
    on first_quarantined.feed = first_loaded.feed
    and first_quarantined.sender_code = first_loaded.sender_code
    and first_quarantined.record_id = first_loaded.record_id
