{#-
    Data quality per sender and period: what was due and how it came (on time, late,
    missing), what was received and how much of it loaded. One row per sender of the
    county profile and per ISO week, month, quarter and year lying wholly inside the
    reporting window (int_data_quality__settings), senders that sent nothing included.

    Decisions:
    - A due item belongs to the period it covers (period_end of the week / month, the
      event's date), not the period its deadline falls in: the row of 2023-W14 says
      whether W14's ledger came on time.
    - Pending items (deadline not reached) are counted apart and left out of the rate.
    - Files and rows count by the day the file was received, every status included
      (rejected files: their rows are not counted, nothing of them was read).
    - pass_rate = rows loaded / (rows loaded + rows quarantined); on_time_rate = items on
      time / items due (on time + late + missing). Both null when their denominator is 0
      (nothing to judge is not 0 % and not 100 %).
-#}
with settings as (
    select * from {{ ref('int_data_quality__settings') }}
),

days as (
    select date_day
    from {{ safetywh.date_series('(select window_start from settings)', '(select window_until from settings)') }} as series
),

day_periods as (
    select date_day, 'week' as period_type, {{ safetywh.period_label('date_day', 'iso_week') }} as period,
           cast({{ dbt.date_trunc('week', 'date_day') }} as date) as period_start,
           cast({{ dbt.dateadd('day', 6, dbt.date_trunc('week', 'date_day')) }} as date) as period_end
    from days
    union all
    select date_day, 'month', {{ safetywh.period_label('date_day', 'month') }},
           cast({{ dbt.date_trunc('month', 'date_day') }} as date),
           cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, dbt.date_trunc('month', 'date_day'))) }} as date)
    from days
    union all
    select date_day, 'quarter', cast(year(date_day) as varchar) || '-Q' || cast(quarter(date_day) as varchar),
           cast({{ dbt.date_trunc('quarter', 'date_day') }} as date),
           cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, dbt.date_trunc('quarter', 'date_day'))) }} as date)
    from days
    union all
    select date_day, 'year', cast(year(date_day) as varchar),
           cast({{ dbt.date_trunc('year', 'date_day') }} as date),
           cast({{ dbt.dateadd('day', -1, dbt.dateadd('year', 1, dbt.date_trunc('year', 'date_day'))) }} as date)
    from days
),

-- only periods wholly inside the window
in_window as (
    select day_periods.*
    from day_periods
    cross join settings
    where day_periods.period_start >= settings.window_start
      and day_periods.period_end <= settings.window_until
),

periods as (
    select distinct period_type, period, period_start, period_end from in_window
),

senders as (
    select sender_code, sender_name, sender_kind from {{ ref('stg_profile__senders') }}
),

files as (
    select
        in_window.period_type, in_window.period, files.sender_code,
        count(*) as files_received,
        count(*) filter (where files.status = 'loaded') as files_loaded,
        count(*) filter (where files.status = 'rejected') as files_rejected,
        count(*) filter (where files.status = 'duplicate') as files_duplicate,
        sum(files.rows_total) as rows_received,
        sum(files.rows_loaded) as rows_loaded,
        sum(files.rows_quarantined) as rows_quarantined,
        sum(files.rows_skipped) as rows_skipped
    from {{ ref('stg_warehouse__files') }} as files
    inner join in_window on in_window.date_day = files.received_on
    group by in_window.period_type, in_window.period, files.sender_code
),

due as (
    select
        in_window.period_type, in_window.period, deliveries.sender_code,
        count(*) filter (where deliveries.cadence <> 'event' and deliveries.status <> 'pending') as files_due,
        count(*) filter (where deliveries.cadence <> 'event' and deliveries.status = 'on_time') as files_on_time,
        count(*) filter (where deliveries.cadence <> 'event' and deliveries.status = 'late') as files_late,
        count(*) filter (where deliveries.cadence <> 'event' and deliveries.status = 'missing') as files_missing,
        count(*) filter (where deliveries.cadence <> 'event' and deliveries.status = 'pending') as files_pending,
        count(*) filter (where deliveries.cadence = 'event') as events_reported,
        count(*) filter (where deliveries.cadence = 'event' and deliveries.status = 'on_time') as events_on_time,
        count(*) filter (where deliveries.cadence = 'event' and deliveries.status = 'late') as events_late
    from {{ ref('int_data_quality__deliveries') }} as deliveries
    inner join in_window on in_window.date_day = deliveries.period_end
    group by in_window.period_type, in_window.period, deliveries.sender_code
),

joined as (
    select
        periods.period_type,
        periods.period,
        periods.period_start,
        periods.period_end,
        senders.sender_code,
        senders.sender_name,
        senders.sender_kind,
        coalesce(files.files_received, 0) as files_received,
        coalesce(files.files_loaded, 0) as files_loaded,
        coalesce(files.files_rejected, 0) as files_rejected,
        coalesce(files.files_duplicate, 0) as files_duplicate,
        coalesce(files.rows_received, 0) as rows_received,
        coalesce(files.rows_loaded, 0) as rows_loaded,
        coalesce(files.rows_quarantined, 0) as rows_quarantined,
        coalesce(files.rows_skipped, 0) as rows_skipped,
        coalesce(due.files_due, 0) as files_due,
        coalesce(due.files_on_time, 0) as files_on_time,
        coalesce(due.files_late, 0) as files_late,
        coalesce(due.files_missing, 0) as files_missing,
        coalesce(due.files_pending, 0) as files_pending,
        coalesce(due.events_reported, 0) as events_reported,
        coalesce(due.events_on_time, 0) as events_on_time,
        coalesce(due.events_late, 0) as events_late
    from periods
    cross join senders
    left join files
        on files.period_type = periods.period_type
        and files.period = periods.period
        and files.sender_code = senders.sender_code
    left join due
        on due.period_type = periods.period_type
        and due.period = periods.period
        and due.sender_code = senders.sender_code
)

select
    cast(period_type as varchar) as period_type,
    cast(period as varchar) as period,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(sender_code as varchar) as sender_code,
    cast(sender_name as varchar) as sender_name,
    cast(sender_kind as varchar) as sender_kind,
    cast(files_received as integer) as files_received,
    cast(files_loaded as integer) as files_loaded,
    cast(files_rejected as integer) as files_rejected,
    cast(files_duplicate as integer) as files_duplicate,
    cast(rows_received as bigint) as rows_received,
    cast(rows_loaded as bigint) as rows_loaded,
    cast(rows_quarantined as bigint) as rows_quarantined,
    cast(rows_skipped as bigint) as rows_skipped,
    cast(case when rows_loaded + rows_quarantined > 0
              then {{ safetywh.ratio('rows_loaded', 'rows_loaded + rows_quarantined') }} end as double) as pass_rate,
    cast(files_due as integer) as files_due,
    cast(files_on_time as integer) as files_on_time,
    cast(files_late as integer) as files_late,
    cast(files_missing as integer) as files_missing,
    cast(files_pending as integer) as files_pending,
    cast(events_reported as integer) as events_reported,
    cast(events_on_time as integer) as events_on_time,
    cast(events_late as integer) as events_late,
    cast(case when files_due + events_reported > 0
              then {{ safetywh.ratio('files_on_time + events_on_time', 'files_due + events_reported') }} end as double) as on_time_rate
from joined
