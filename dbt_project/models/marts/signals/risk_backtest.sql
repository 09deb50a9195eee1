{#-
    The backtest summed over every week of risk_backtest_weekly: ONE row. hit_share = the
    share of the accidents of the 4 weeks after a week that fell in townships then at 橙
    or 红; alert_share = the share of township-weeks at 橙 or 红; lift = hit_share /
    alert_share (null when a denominator is 0): above 1 the level points where accidents
    happen more often than chance.
-#}
with weeks as (
    select * from {{ ref('risk_backtest_weekly') }}
),

totals as (
    select
        count(*) as weeks,
        min(week_end) as first_week_end,
        max(week_end) as last_week_end,
        coalesce(sum(accidents_after), 0) as accidents_after,
        coalesce(sum(accidents_in_alert), 0) as accidents_in_alert,
        coalesce(sum(township_weeks), 0) as township_weeks,
        coalesce(sum(township_weeks_in_alert), 0) as township_weeks_in_alert
    from weeks
)

select
    cast(weeks as integer) as weeks,
    first_week_end,
    last_week_end,
    cast(accidents_after as integer) as accidents_after,
    cast(accidents_in_alert as integer) as accidents_in_alert,
    cast(township_weeks as integer) as township_weeks,
    cast(township_weeks_in_alert as integer) as township_weeks_in_alert,
    case when accidents_after > 0 then {{ safetywh.ratio('accidents_in_alert', 'accidents_after') }} end as hit_share,
    case when township_weeks > 0 then {{ safetywh.ratio('township_weeks_in_alert', 'township_weeks') }} end as alert_share,
    case when accidents_after > 0 and township_weeks_in_alert > 0
         then {{ safetywh.ratio(safetywh.ratio('accidents_in_alert', 'accidents_after'), safetywh.ratio('township_weeks_in_alert', 'township_weeks')) }}
    end as lift
from totals
