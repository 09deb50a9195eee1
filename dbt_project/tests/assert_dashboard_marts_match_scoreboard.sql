-- The dashboards' breakdown marts add up to the county scoreboard on every date (kpis.md):
-- hazard rectification by township and by sender (overdue majors, on-time and major
-- rectification shares), inspections by action and by township (inspections, penalties,
-- fines), flood transfers (people), relief (coverage), rescue teams (training coverage),
-- depots (completed), plan filing (share), and the month-to-date rows of every month of
-- a year (inspections) against the scoreboard's YTD at the year's last covered date.
-- A returned row is a date and a figure where a mart's total differs from the scoreboard.
with scoreboard as (
    select as_of, metric_id, value from {{ ref('kpi_scoreboard_daily') }}
),

totals as (
    select as_of, 'major_hazards_overdue' as metric_id, cast(sum(major_overdue) as double) as value, 'by township' as source
    from {{ ref('hazard_rectification_by_township_daily') }} group by as_of
    union all
    select as_of, 'major_hazards_overdue', sum(major_overdue), 'by sender'
    from {{ ref('hazard_rectification_by_sender_daily') }} group by as_of
    union all
    select as_of, 'hazard_ontime_rectification_pct', {{ safetywh.ratio('100.0 * sum(due_ontime)', 'nullif(sum(due), 0)') }}, 'by township'
    from {{ ref('hazard_rectification_by_township_daily') }} group by as_of
    union all
    select as_of, 'hazard_ontime_rectification_pct', {{ safetywh.ratio('100.0 * sum(due_ontime)', 'nullif(sum(due), 0)') }}, 'by sender'
    from {{ ref('hazard_rectification_by_sender_daily') }} group by as_of
    union all
    select as_of, 'major_hazard_rectification_pct', {{ safetywh.ratio('100.0 * sum(major_rectified)', 'nullif(sum(major_found), 0)') }}, 'by township'
    from {{ ref('hazard_rectification_by_township_daily') }} group by as_of
    union all
    select as_of, 'major_hazard_rectification_pct', {{ safetywh.ratio('100.0 * sum(major_rectified)', 'nullif(sum(major_found), 0)') }}, 'by sender'
    from {{ ref('hazard_rectification_by_sender_daily') }} group by as_of
    union all
    select as_of, 'inspections', sum(inspections), 'by action'
    from {{ ref('inspections_by_action_daily') }} group by as_of
    union all
    select as_of, 'penalties', sum(inspections) filter (where is_penalty), 'by action'
    from {{ ref('inspections_by_action_daily') }} group by as_of
    union all
    select as_of, 'fines_10k_cny', sum(fines_10k_cny), 'by action'
    from {{ ref('inspections_by_action_daily') }} group by as_of
    union all
    select as_of, 'penalties', sum(penalties), 'by township'
    from {{ ref('inspections_by_township_daily') }} group by as_of
    union all
    select as_of, 'fines_10k_cny', sum(fines_10k_cny), 'by township'
    from {{ ref('inspections_by_township_daily') }} group by as_of
    union all
    select as_of, 'people_transferred', sum(people_transferred), 'flood by township'
    from {{ ref('flood_transfers_by_township_daily') }} group by as_of
    union all
    select as_of, 'relief_coverage_pct', {{ safetywh.ratio('100.0 * sum(relieved)', 'nullif(sum(cases), 0)') }}, 'relief by township'
    from {{ ref('relief_by_township_daily') }} group by as_of
    union all
    select as_of, 'team_training_coverage_pct', {{ safetywh.ratio('100.0 * count(*) filter (where is_trained)', 'nullif(count(*), 0)') }}, 'teams'
    from {{ ref('rescue_teams_daily') }} group by as_of
    union all
    select as_of, 'depots_completed', count(*) filter (where has_depot), 'township preparedness'
    from {{ ref('township_preparedness_daily') }} group by as_of
    union all
    select as_of, 'plan_filing_pct', {{ safetywh.ratio('100.0 * sum(filed)', 'nullif(sum(issued), 0)') }}, 'plans by unit'
    from {{ ref('plan_filing_by_unit_daily') }} group by as_of
    union all
    -- a year's months: the month-to-date rows on month ends (and on the last covered date)
    select year_end.as_of, 'inspections', sum(months.inspections_mtd), 'months of the year'
    from (
        select max(as_of) as as_of from {{ ref('county_activity_daily') }} group by year
    ) as year_end
    inner join {{ ref('county_activity_daily') }} as months
        on months.year = year(year_end.as_of)
        and (months.as_of = last_day(months.as_of) or months.as_of = year_end.as_of)
        and months.as_of <= year_end.as_of
    group by year_end.as_of
)

select totals.as_of, totals.metric_id, totals.source, totals.value as mart_total, scoreboard.value as scoreboard_value
from totals
inner join scoreboard on scoreboard.as_of = totals.as_of and scoreboard.metric_id = totals.metric_id
where (totals.value is null) <> (scoreboard.value is null)
   or abs(totals.value - scoreboard.value) > 1e-6
