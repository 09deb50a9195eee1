{#-
    The KPI scoreboard (kpis.md) for every date covered by the data: ONE row per
    as_of date x metric_id, 19 metrics a date.

    - value: as of D (YTD = 1 Jan of D's year through D); ly_value: the same rule as of the
      same month-day one year earlier (LY-same-period; 29 Feb -> 28 Feb). ly_value is null
      when that period lies before the data, and for the two register snapshots
      (team_training_coverage_pct, high_risk_dual_prevention_pct): the registers keep no
      history (latest version only), so last year's register is unknown.
    - change = value - ly_value (percentage points for a % metric); change_pct = relative
      change in %, one decimal, null on a zero base; change_text: 持平 / 去年同期无 /
      上升x.x% / 下降x.x% (macro change_text).
    - A percentage with a zero denominator is null, and so is its status (nothing to
      judge); status is null too where the metric has no target.
    - accidents / accident_deaths: target = the count's control line, the largest whole
      number within ratio (profile) x ly_value (floor: 0.8 x 29 = 23.2 -> 23, LY 0 -> 0);
      on_track if value <= target, else breached (the verdict of comparing with 23.2) - on
      every date, 31 Dec included, as kpis.md words it. Unknown ly_value (before the
      data) -> no target, no status.
    - penalties count 警告, 罚款, 停产整顿, 关闭取缔 (macro penalty_actions); a 移送司法 is not a
      penalty but a judicial transfer (judicial_transfers, reported, no target).
    - "as relief" metrics: met if value >= target; else at_risk before 31 Dec, breached on it.
    - zero_sector_breaches needs the whole previous year in the data, else null.
    - forest_fire_damage_permille: damaged forest in YTD / county forest area (sum of the
      profile's township forest_area_ha) x 1000, rounded to 6 decimals before it is judged.
-#}
{%- set metrics = [
    {'id': 'accidents', 'label': '生产安全事故起数', 'unit': '起',
     'value': 'c.accidents', 'ly': 'l.accidents',
     'target': count_control_line('p.accidents_max_ratio_of_ly', 'l.accidents'), 'rule': 'ratio_of_ly'},
    {'id': 'accident_deaths', 'label': '生产安全事故死亡人数', 'unit': '人',
     'value': 'c.accident_deaths', 'ly': 'l.accident_deaths',
     'target': count_control_line('p.accident_deaths_max_ratio_of_ly', 'l.accident_deaths'), 'rule': 'ratio_of_ly'},
    {'id': 'major_accidents', 'label': '较大及以上生产安全事故起数', 'unit': '起',
     'value': 'c.major_accidents', 'ly': 'l.major_accidents',
     'target': 'p.major_accidents_max', 'rule': 'at_most'},
    {'id': 'zero_sector_breaches', 'label': '上年零事故行业领域发生事故数', 'unit': '个',
     'value': 'case when c.is_prior_year_covered then c.zero_sector_breaches end',
     'ly': 'case when l.is_prior_year_covered then l.zero_sector_breaches end',
     'target': 'p.zero_sector_breaches_max', 'rule': 'at_most'},
    {'id': 'major_forest_fires', 'label': '较大及以上森林火灾起数', 'unit': '起',
     'value': 'c.major_forest_fires', 'ly': 'l.major_forest_fires',
     'target': 'p.major_forest_fires_max', 'rule': 'at_most'},
    {'id': 'forest_fire_damage_permille', 'label': '森林火灾受害率', 'unit': '‰',
     'value': 'case when c.county_forest_area_ha > 0 then round(1000.0 * c.forest_damaged_ha / c.county_forest_area_ha, 6) end',
     'ly': 'case when l.county_forest_area_ha > 0 then round(1000.0 * l.forest_damaged_ha / l.county_forest_area_ha, 6) end',
     'target': 'p.forest_fire_damage_permille_max', 'rule': 'at_most'},
    {'id': 'relief_coverage_pct', 'label': '因灾生活困难人员救助率', 'unit': '%',
     'value': pct('c.relief_relieved', 'c.relief_cases'), 'ly': pct('l.relief_relieved', 'l.relief_cases'),
     'target': 'p.relief_coverage_pct_min', 'rule': 'at_least_by_year_end'},
    {'id': 'team_training_coverage_pct', 'label': '应急救援队伍培训演练覆盖率', 'unit': '%',
     'value': pct('c.teams_trained', 'c.teams_registered'), 'ly': 'null',
     'target': 'p.team_training_coverage_pct_min', 'rule': 'at_least_by_year_end'},
    {'id': 'depots_completed', 'label': '乡镇应急物资储备库建成数', 'unit': '个',
     'value': 'c.depots_completed', 'ly': 'l.depots_completed',
     'target': 'p.depots_completed_min', 'rule': 'at_least_by_year_end'},
    {'id': 'plan_filing_pct', 'label': '应急预案备案率', 'unit': '%',
     'value': pct('c.plans_filed', 'c.plans_issued'), 'ly': pct('l.plans_filed', 'l.plans_issued'),
     'target': 'p.plan_filing_pct_min', 'rule': 'at_least_by_year_end'},
    {'id': 'major_hazard_rectification_pct', 'label': '重大隐患整改率', 'unit': '%',
     'value': pct('c.major_hazards_rectified', 'c.major_hazards_found'),
     'ly': pct('l.major_hazards_rectified', 'l.major_hazards_found'),
     'target': 'p.major_hazard_rectification_pct_min', 'rule': 'at_least_by_year_end'},
    {'id': 'major_hazards_overdue', 'label': '重大隐患逾期未整改数', 'unit': '项',
     'value': 'c.major_hazards_overdue', 'ly': 'l.major_hazards_overdue',
     'target': 'p.major_hazards_overdue_max', 'rule': 'at_most'},
    {'id': 'hazard_ontime_rectification_pct', 'label': '隐患按期整改率', 'unit': '%',
     'value': pct('c.hazards_due_ontime', 'c.hazards_due'), 'ly': pct('l.hazards_due_ontime', 'l.hazards_due'),
     'target': 'null', 'rule': 'none'},
    {'id': 'high_risk_dual_prevention_pct', 'label': '高危企业双重预防机制建立率', 'unit': '%',
     'value': pct('c.high_risk_dual_established', 'c.high_risk_enterprises'), 'ly': 'null',
     'target': 'p.high_risk_dual_prevention_pct_min', 'rule': 'at_least_by_year_end'},
    {'id': 'inspections', 'label': '执法检查次数', 'unit': '次',
     'value': 'c.inspections', 'ly': 'l.inspections', 'target': 'null', 'rule': 'none'},
    {'id': 'penalties', 'label': '行政处罚次数', 'unit': '次',
     'value': 'c.penalties', 'ly': 'l.penalties', 'target': 'null', 'rule': 'none'},
    {'id': 'judicial_transfers', 'label': '移送司法机关案件数', 'unit': '件',
     'value': 'c.judicial_transfers', 'ly': 'l.judicial_transfers', 'target': 'null', 'rule': 'none'},
    {'id': 'fines_10k_cny', 'label': '罚款金额', 'unit': '万元',
     'value': 'round(c.fines_10k_cny, 6)', 'ly': 'round(l.fines_10k_cny, 6)', 'target': 'null', 'rule': 'none'},
    {'id': 'people_transferred', 'label': '防汛紧急转移人数', 'unit': '人',
     'value': 'c.people_transferred', 'ly': 'l.people_transferred', 'target': 'null', 'rule': 'none'},
] -%}

with measures as (
    select * from {{ ref('int_kpi__measures_daily') }}
),

parameters as (
    select * from {{ ref('int_profile__parameters') }}
),

metric_rows as (
{%- for m in metrics %}
    select
        c.date_day as as_of,
        c.is_year_end,
        {{ loop.index }} as metric_order,
        '{{ m.id }}' as metric_id,
        '{{ m.label }}' as label,
        '{{ m.unit }}' as unit,
        '{{ m.rule }}' as rule,
        cast({{ m.value }} as double) as value,
        cast(case when c.is_ly_covered then {{ m.ly }} end as double) as ly_value,
        cast(case when c.is_ly_covered or '{{ m.rule }}' <> 'ratio_of_ly' then {{ m.target }} end as double) as target
    from measures as c
    -- l and p are read by some metrics' ly and target expressions, not by all
    left join measures as l on l.date_day = c.ly_date  -- noqa: ST11
    cross join parameters as p  -- noqa: AL05
    where c.is_scoreboard_date
    {{ 'union all' if not loop.last }}
{%- endfor %}
)

select
    as_of,
    cast(metric_order as integer) as metric_order,
    metric_id,
    label,
    value,
    ly_value,
    round(value - ly_value, 6) as change,
    {{ change_pct('value', 'ly_value') }} as change_pct,
    {{ change_text('value', 'ly_value') }} as change_text,
    target,
    case
        when rule in ('ratio_of_ly', 'at_most') then 'at_most'
        when rule = 'at_least_by_year_end' then 'at_least'
    end as target_kind,
    unit,
    case
        when value is null or target is null then null
        when rule = 'ratio_of_ly' then case when value <= target then 'on_track' else 'breached' end
        when rule = 'at_most' then case when value <= target then 'met' else 'breached' end
        when rule = 'at_least_by_year_end' then
            case when value >= target then 'met'
                 when is_year_end then 'breached'
                 else 'at_risk' end
    end as status
from metric_rows
