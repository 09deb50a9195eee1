-- The scoreboard has every date from data_start to latest_data_on (no gap) and, on every
-- date, each of the 19 metrics of kpis.md exactly once.
-- A returned row is a date of the covered range whose metric count is not 19 (0 = the
-- date is missing) or a date outside the covered range.
with coverage as (
    select data_start, latest_data_on from {{ ref('int_calendar__coverage') }}
),

expected_dates as (
    select as_of
    from {{ safetywh.date_series('(select data_start from coverage)', '(select latest_data_on from coverage)', 'as_of') }} as series
),

counts as (
    select as_of, count(*) as metric_rows, count(distinct metric_id) as metrics
    from {{ ref('kpi_scoreboard_daily') }}
    group by as_of
)

select
    coalesce(expected_dates.as_of, counts.as_of) as as_of,
    coalesce(counts.metric_rows, 0) as metric_rows,
    coalesce(counts.metrics, 0) as metrics
from expected_dates
full outer join counts on expected_dates.as_of = counts.as_of
where expected_dates.as_of is null
   or coalesce(counts.metric_rows, 0) <> 19
   or coalesce(counts.metrics, 0) <> 19
