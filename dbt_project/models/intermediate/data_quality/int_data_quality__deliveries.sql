{#-
    For every sender and every period it must report (scheduled feeds), and for every
    event record it reported: when it was due, what arrived, and the verdict.

    status:
    - on_time: a counting file (int_data_quality__received_files) was received after the
      previous deadline (opens_after) and up to due_at, both as Asia/Shanghai wall clock;
      for an event record, its first received version came by event time + 24 h.
    - late: nothing in that window, but a file came after due_at and up to the next
      period's deadline (late_until); delivered_at is the first such file. Ledgers are
      snapshots, so that file carries the late period's data (and is also on time for the
      next period). For an event record: its first version came after event time + 24 h.
    - missing: nothing by late_until, or nothing yet and due_at has passed (as_of). A file
      a whole period later is the next period's report, not this one's: a week left out
      stays missing, however many ledgers follow.
    - pending: nothing yet, due_at still ahead.

    The first file after opens_after is found with safetywh.first_after: on DuckDB an ASOF
    join (one probe per period), not a periods x files range join, so the cost grows with
    files, not their product.
-#}
with settings as (
    select * from {{ ref('int_data_quality__settings') }}
),

obligations as (
    select
        expectations.sender_code,
        expectations.feed,
        expectations.cadence,
        periods.period,
        cast(null as varchar) as record_id,
        periods.period_start,
        periods.period_end,
        periods.opens_after,
        periods.due_at,
        periods.late_until
    from {{ ref('int_data_quality__expectations') }} as expectations
    inner join {{ ref('int_data_quality__periods') }} as periods
        on periods.cadence = expectations.cadence
),

files as (
    select sender_code, feed, received_at, file_id
    from {{ ref('int_data_quality__received_files') }}
),

first_files as (
    {{ safetywh.first_after(
        'obligations', 'files', ['sender_code', 'feed'], 'opens_after', 'received_at',
        ['sender_code', 'feed', 'cadence', 'period', 'record_id', 'period_start', 'period_end', 'opens_after', 'due_at', 'late_until'],
        {'received_at': 'first_received_at', 'file_id': 'first_file_id'}, 'file_id'
    ) }}
),

scheduled as (
    select
        sender_code, feed, cadence, period, record_id, period_start, period_end, opens_after, due_at, late_until,
        case when first_received_at <= late_until then first_received_at end as delivered_at,
        case when first_received_at <= late_until then first_file_id end as delivered_file_id
    from first_files
),

events as (
    select
        reports.sender_code,
        reports.feed,
        'event' as cadence,
        {{ safetywh.period_label('cast(reports.event_at as date)', 'date') }} as period,
        reports.record_id,
        cast(reports.event_at as date) as period_start,
        cast(reports.event_at as date) as period_end,
        cast(null as timestamp) as opens_after,
        {{ dbt.dateadd('hour', 'settings.event_hours', 'reports.event_at') }} as due_at,
        cast(null as timestamp) as late_until,
        reports.first_received_at as delivered_at,
        reports.first_file_id as delivered_file_id
    from {{ ref('int_data_quality__event_reports') }} as reports
    cross join settings
    where cast(reports.event_at as date) between settings.window_start and settings.window_until
),

unioned as (
    select
        sender_code, feed, cadence, period, record_id, period_start, period_end, opens_after, due_at, late_until,
        delivered_at, delivered_file_id
    from scheduled
    union all
    select
        sender_code, feed, cadence, period, record_id, period_start, period_end, opens_after, due_at, late_until,
        delivered_at, delivered_file_id
    from events
)

select
    unioned.feed || ':' || unioned.sender_code || ':' || coalesce(unioned.record_id, unioned.period) as delivery_key,
    unioned.sender_code,
    unioned.feed,
    unioned.cadence,
    unioned.period,
    unioned.record_id,
    unioned.period_start,
    unioned.period_end,
    unioned.opens_after,
    unioned.due_at,
    unioned.late_until,
    unioned.delivered_at,
    unioned.delivered_file_id,
    case
        when unioned.delivered_at <= unioned.due_at then 'on_time'
        when unioned.delivered_at > unioned.due_at then 'late'
        when unioned.due_at < settings.as_of then 'missing'
        else 'pending'
    end as status,
    case
        when unioned.delivered_at > unioned.due_at
            then cast({{ dbt.datediff('unioned.due_at', 'unioned.delivered_at', 'second') }} as bigint)
    end as late_seconds,
    settings.as_of
from unioned
cross join settings
