{#-
    The indicators behind every township's risk level (风险预警等级) per as-of date: ONE row
    per as_of x township x indicator that scored (points > 0), with its Chinese label, its
    figure and its points, ranked largest first (ties in the order of the method).
-#}
with indicators as (
    select * from {{ ref('int_signals__risk_indicators') }}
),

labels as (
    {%- set labels = [
        ('overdue_major', 1, '重大隐患逾期未整改', '项'),
        ('overdue_general', 2, '一般隐患逾期超过30天', '项'),
        ('no_dual_prevention', 3, '高危企业未建立双重预防机制', '家'),
        ('not_inspected', 4, '高危企业近90天未检查', '家'),
        ('signal_self_report_drop', 5, '线索：自报骤降', '项'),
        ('signal_zero_run', 6, '线索：长期零报告', '项'),
        ('signal_late_report', 7, '线索：迟报补报', '项'),
        ('signal_enforcement_unreported', 8, '线索：执法发现未自报', '项'),
        ('recent_accident', 9, '近30天发生事故', '起'),
        ('major_accident', 10, '近90天发生较大及以上事故', '起'),
        ('forest_fire', 11, '森林防火期内发生森林火灾', '起'),
        ('flood_transfer', 12, '汛期内紧急转移', '次'),
        ('no_depot', 13, '应急物资储备库未建成', '项'),
        ('no_plan', 14, '总体应急预案未备案', '项'),
        ('no_drill', 15, '近一年无演练培训', '项'),
    ] %}
    {%- for code, position, label, unit in labels %}
    select '{{ code }}' as indicator, {{ position }} as indicator_order, '{{ label }}' as label, '{{ unit }}' as unit
    {{- " union all" if not loop.last }}
    {%- endfor %}
)

select
    i.as_of,
    i.township_code,
    i.indicator,
    labels.label,
    i.figure,
    labels.unit,
    i.points,
    cast(coalesce(i.detail, 0) as integer) as supervised_overdue_major,
    cast(row_number() over (
        partition by i.as_of, i.township_code order by i.points desc, labels.indicator_order asc
    ) as integer) as indicator_rank
from indicators as i
inner join labels on labels.indicator = i.indicator
where i.points > 0
