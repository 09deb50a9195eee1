{#-
    The figures a bulletin (周通报、月排名、季考核) writes into its sentences, one row per
    ranked period, so the documents read them and compute nothing:
    - county totals of the period: the sums of township_rankings over its townships
      (accidents, deaths, forest fires, hazards due / rectified on time in P, overdue
      majors at end(P), inspections), and those of the same period last year (ISO week W
      of the year before, its last week when it has no week W; the same month; the same
      quarter), null when that period is not ranked (before the data);
    - the 同比 wording of accidents and deaths by the scoreboard's macro change_text
      (持平 / 去年同期无 / 上升x.x% / 下降x.x%);
    - the period's on-time rectification rate (ranking.md: due = deadline in P) and, as the
      dashboard's 隐患治理 page and the scoreboard show it, the year-to-date
      hazard_ontime_rectification_pct as of the period's as_of (kpis.md: deadline < D);
    - reporting: the period's totals of data_quality_by_sender (due, on time, late,
      missing, files, rows) with the pass and on-time rates; null when the period is not
      wholly inside the reporting window (that mart has no row for it).
    Percentages as text follow the decimals rule (macro pct_text: one decimal, half away
    from zero); a rate with a zero denominator is null (—), never 0 or 100.
-#}
with rankings as (
    select * from {{ ref('township_rankings') }}
),

periods as (
    select
        period_type,
        period,
        min(period_start) as period_start,
        min(period_end) as period_end,
        bool_and(is_complete) as is_complete,
        min(as_of) as as_of,
        count(*) as townships,
        sum(accidents) as accidents,
        sum(deaths) as deaths,
        sum(forest_fires) as forest_fires,
        sum(hazards_due) as hazards_due,
        sum(hazards_due_ontime) as hazards_due_ontime,
        sum(inspections) as inspections,
        sum(overdue_major_hazards) as overdue_major_hazards
    from rankings
    group by period_type, period
),

labelled as (
    select
        periods.*,
        case period_type
            when 'week' then
                case when cast(substr(period, 7, 2) as integer) <= 52
                     then cast(cast(substr(period, 1, 4) as integer) - 1 as varchar) || substr(period, 5)
                     -- W53: the year before's last week (its week 28 December falls in)
                     else {{ safetywh.period_label(
                         "cast(cast(cast(substr(period, 1, 4) as integer) - 1 as varchar) || '-12-28' as date)",
                         'iso_week') }}
                end
            else cast(cast(substr(period, 1, 4) as integer) - 1 as varchar) || substr(period, 5)
        end as ly_period
    from periods
),

scoreboard as (
    select as_of, value
    from {{ ref('kpi_scoreboard_daily') }}
    where metric_id = 'hazard_ontime_rectification_pct'
),

reporting as (
    select
        period_type,
        period,
        sum(files_due) as files_due,
        sum(files_on_time) as files_on_time,
        sum(files_late) as files_late,
        sum(files_missing) as files_missing,
        sum(events_late) as events_late,
        sum(files_received) as files_received,
        sum(files_rejected) as files_rejected,
        sum(rows_loaded) as rows_loaded,
        sum(rows_quarantined) as rows_quarantined
    from {{ ref('data_quality_by_sender') }}
    group by period_type, period
),

joined as (
    select
        p.*,
        ly.period is not null as has_last_year,
        ly.accidents as ly_accidents,
        ly.deaths as ly_deaths,
        ly.forest_fires as ly_forest_fires,
        ly.hazards_due as ly_hazards_due,
        ly.hazards_due_ontime as ly_hazards_due_ontime,
        {{ pct('p.hazards_due_ontime', 'p.hazards_due') }} as hazard_ontime_pct,
        {{ pct('ly.hazards_due_ontime', 'ly.hazards_due') }} as ly_hazard_ontime_pct,
        scoreboard.value as ytd_hazard_ontime_pct,
        r.period is not null as has_reporting,
        r.files_due, r.files_on_time, r.files_late, r.files_missing, r.events_late,
        r.files_received, r.files_rejected, r.rows_loaded, r.rows_quarantined,
        {{ pct('r.files_on_time', 'r.files_due') }} as reporting_on_time_pct,
        {{ pct('r.rows_loaded', 'r.rows_loaded + r.rows_quarantined') }} as pass_pct
    from labelled as p
    left join periods as ly on ly.period_type = p.period_type and ly.period = p.ly_period
    left join scoreboard on scoreboard.as_of = p.as_of
    left join reporting as r on r.period_type = p.period_type and r.period = p.period
)

select
    cast(period_type as varchar) as period_type,
    cast(period as varchar) as period,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(is_complete as boolean) as is_complete,
    cast(as_of as date) as as_of,
    cast(townships as integer) as townships,
    cast(accidents as integer) as accidents,
    cast(deaths as integer) as deaths,
    cast(forest_fires as integer) as forest_fires,
    cast(hazards_due as integer) as hazards_due,
    cast(hazards_due_ontime as integer) as hazards_due_ontime,
    cast(inspections as integer) as inspections,
    cast(overdue_major_hazards as integer) as overdue_major_hazards,
    cast(ly_period as varchar) as ly_period,
    cast(has_last_year as boolean) as has_last_year,
    cast(ly_accidents as integer) as ly_accidents,
    cast(ly_deaths as integer) as ly_deaths,
    cast(ly_forest_fires as integer) as ly_forest_fires,
    cast(ly_hazards_due as integer) as ly_hazards_due,
    cast(ly_hazards_due_ontime as integer) as ly_hazards_due_ontime,
    cast({{ change_text('accidents', 'ly_accidents') }} as varchar) as accidents_change_text,
    cast({{ change_text('deaths', 'ly_deaths') }} as varchar) as deaths_change_text,
    cast(hazard_ontime_pct as double) as hazard_ontime_pct,
    cast({{ pct_text('hazard_ontime_pct') }} as varchar) as hazard_ontime_pct_text,
    cast({{ pct_text('ly_hazard_ontime_pct') }} as varchar) as ly_hazard_ontime_pct_text,
    cast(ytd_hazard_ontime_pct as double) as ytd_hazard_ontime_pct,
    cast({{ pct_text('ytd_hazard_ontime_pct') }} as varchar) as ytd_hazard_ontime_pct_text,
    cast(has_reporting as boolean) as has_reporting,
    cast(files_due as integer) as files_due,
    cast(files_on_time as integer) as files_on_time,
    cast(files_late as integer) as files_late,
    cast(files_missing as integer) as files_missing,
    cast(events_late as integer) as events_late,
    cast(files_received as integer) as files_received,
    cast(files_rejected as integer) as files_rejected,
    cast(rows_loaded as bigint) as rows_loaded,
    cast(rows_quarantined as bigint) as rows_quarantined,
    cast({{ pct_text('reporting_on_time_pct') }} as varchar) as reporting_on_time_pct_text,
    cast({{ pct_text('pass_pct') }} as varchar) as pass_pct_text
from joined
