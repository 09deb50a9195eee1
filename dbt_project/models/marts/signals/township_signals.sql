{#-
    The four under-reporting signals (漏报瞒报线索) per as-of date and township: ONE row per
    as_of x township (all 29), each signal's figures and whether it fires, prefixed by the
    signal's name (self_report_drop__, zero_run__, late_report__, enforcement_unreported__),
    and each firing signal's clue as one Chinese sentence with its figures (null when it
    does not fire). A clue is a question for a supervisor to ask, never a verdict.
-#}
with drop_signal as (
    select * from {{ ref('int_signals__self_report_drop') }}
),

zero_signal as (
    select * from {{ ref('int_signals__zero_run') }}
),

late_signal as (
    select * from {{ ref('int_signals__late_report') }}
),

unreported_signal as (
    select * from {{ ref('int_signals__enforcement_unreported') }}
),

parameters as (
    select * from {{ ref('int_signals__parameters') }}
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
)

select
    d.as_of,
    d.township_code,
    townships.township_name,
    d.latest_week_end,
    d.fires as self_report_drop__fires,
    d.own as self_report_drop__own,
    d.base_count as self_report_drop__base_count,
    d.base as self_report_drop__base,
    d.p as self_report_drop__p,
    d.inspections as self_report_drop__inspections,
    d.found as self_report_drop__found,
    case when d.base > 0 then {{ safetywh.round_half_up(safetywh.ratio('100.0 * (d.base - d.own)', 'd.base'), 1) }} end as self_report_drop__drop_pct,
    z.fires as zero_run__fires,
    z.run_weeks as zero_run__run_weeks,
    z.run_start as zero_run__run_start,
    z.base_count as zero_run__base_count,
    z.lambda as zero_run__lambda,
    z.p as zero_run__p,
    l.fires as late_report__fires,
    l.late_accidents as late_report__late_accidents,
    l.late_first_reports as late_report__late_first_reports,
    l.late_death_reports as late_report__late_death_reports,
    l.accident_ids as late_report__accident_ids,
    u.fires as enforcement_unreported__fires,
    u.inspections_with_findings as enforcement_unreported__inspections_with_findings,
    u.unreported as enforcement_unreported__unreported,
    u.unreported_share as enforcement_unreported__unreported_share,
    case when d.fires then
        '近' || cast(cast(parameters.recent_weeks as integer) as varchar) || '周自报隐患' || cast(d.own as varchar)
        || '条，较前期平均（' || {{ safetywh.fixed_decimals(safetywh.round_half_up('d.base', 1), 1) }}
        || '条）下降' || {{ safetywh.fixed_decimals(safetywh.round_half_up(safetywh.ratio('100.0 * (d.base - d.own)', 'd.base'), 0), 0) }}
        || '%，同期执法检查仍发现隐患' || cast(d.found as varchar) || '条（线索，供核实，不作结论）'
    end as self_report_drop__clue,
    case when z.fires then
        '已连续' || cast(z.run_weeks as varchar) || '周按时报送隐患台账但无新增隐患，此前'
        || cast(cast(parameters.zero_base_weeks as integer) as varchar) || '周平均每周'
        || {{ safetywh.fixed_decimals(safetywh.round_half_up('z.lambda', 1), 1) }}
        || '条，连续零报告的概率'
        || case when z.p < 0.0001 then '不足0.01%' else '约' || {{ safetywh.fixed_decimals(safetywh.round_half_up('100.0 * z.p', 2), 2) }} || '%' end
        || '（线索，供核实，不作结论）'
    end as zero_run__clue,
    case when l.fires then
        '近' || cast(cast(parameters.late_window_days as integer) as varchar) || '天有' || cast(l.late_accidents as varchar)
        || '起事故迟报或补报（' || l.accident_ids || '），其中首报超过'
        || cast(cast(parameters.late_first_report_hours as integer) as varchar) || '小时' || cast(l.late_first_reports as varchar)
        || '起，' || cast(cast(parameters.late_supplement_days as integer) as varchar) || '天后补报死亡'
        || cast(l.late_death_reports as varchar) || '起（线索，供核实，不作结论）'
    end as late_report__clue,
    case when u.fires then
        '近' || cast(cast(parameters.unreported_weeks as integer) as varchar) || '周执法检查发现隐患'
        || cast(u.inspections_with_findings as varchar) || '次，其中' || cast(u.unreported as varchar) || '次（'
        || {{ safetywh.fixed_decimals(safetywh.round_half_up('100.0 * u.unreported_share', 0), 0) }}
        || '%）所查企业此前' || cast(cast(parameters.unreported_lookback_days as integer) as varchar)
        || '天无本乡镇自报隐患（线索，供核实，不作结论）'
    end as enforcement_unreported__clue,
    cast(
        case when d.fires then 1 else 0 end + case when z.fires then 1 else 0 end
        + case when l.fires then 1 else 0 end + case when u.fires then 1 else 0 end
    as integer) as signals_firing
from drop_signal as d
cross join parameters
inner join townships on townships.township_code = d.township_code
inner join zero_signal as z on z.as_of = d.as_of and z.township_code = d.township_code
inner join late_signal as l on l.as_of = d.as_of and l.township_code = d.township_code
inner join unreported_signal as u on u.as_of = d.as_of and u.township_code = d.township_code
