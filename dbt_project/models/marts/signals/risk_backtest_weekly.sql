{#-
    The backtest of the risk level (预警命中率), per week W: ONE row per ISO week whose
    Sunday is an as-of date and whose 4 following weeks lie inside the data (W's Sunday +
    28 days <= latest_data_on). The accidents (latest versions) that occurred in the 4
    weeks after W, and how many of them fell in townships at 橙 or 红 at the end of W (the
    level as of W's Sunday, computed from what was known then); the township-weeks at 橙 or 红.
-#}
with parameters as (
    select * from {{ ref('int_signals__parameters') }}
),

coverage as (
    select * from {{ ref('int_calendar__coverage') }}
),

risk as (
    select r.as_of, r.township_code, r.level_rank >= 3 as is_alert
    from {{ ref('township_risk') }} as r
    inner join {{ ref('int_signals__as_of_dates') }} as dates
        on dates.as_of = r.as_of and dates.is_sunday
),

weeks as (
    select distinct risk.as_of as week_end
    from risk
    cross join parameters
    cross join coverage
    where {{ safetywh.add_days('risk.as_of', '7 * parameters.backtest_weeks') }} <= coverage.latest_data_on
),

accidents as (
    select weeks.week_end, a.accident_id, a.township_code
    from weeks
    cross join parameters
    inner join {{ ref('int_accidents__graded') }} as a
        on a.occurred_on > weeks.week_end
        and a.occurred_on <= {{ safetywh.add_days('weeks.week_end', '7 * parameters.backtest_weeks') }}
),

hits as (
    select
        accidents.week_end,
        count(*) as accidents_after,
        count(*) filter (where risk.is_alert) as accidents_in_alert
    from accidents
    left join risk on risk.as_of = accidents.week_end and risk.township_code = accidents.township_code
    group by accidents.week_end
),

coverage_share as (
    select
        risk.as_of as week_end,
        count(*) as township_weeks,
        count(*) filter (where risk.is_alert) as township_weeks_in_alert
    from risk
    inner join weeks on weeks.week_end = risk.as_of
    group by risk.as_of
)

select
    weeks.week_end,
    {{ safetywh.period_label('weeks.week_end', 'iso_week') }} as week,
    cast(coverage_share.township_weeks as integer) as township_weeks,
    cast(coverage_share.township_weeks_in_alert as integer) as township_weeks_in_alert,
    cast(coalesce(hits.accidents_after, 0) as integer) as accidents_after,
    cast(coalesce(hits.accidents_in_alert, 0) as integer) as accidents_in_alert
from weeks
inner join coverage_share on coverage_share.week_end = weeks.week_end
left join hits on hits.week_end = weeks.week_end
