{#-
    The list of open major and supervised hazards, 重大及挂牌督办隐患清单 (kpis.md "Also
    required as tables"), for every date of the calendar: ONE row per as_of x hazard on
    the list that day. Not "the 挂牌督办 list": most major hazards are not under listed
    supervision, so is_supervised (是 / 否) says of each item whether it is 挂牌督办.

    Decision: "every open major hazard or is_supervised=是 hazard" is read as the hazards
    that are OPEN on D (found on or before D, not rectified by D) and either major (重大)
    or under listed supervision (挂牌督办 = 是); a hazard leaves the list (摘牌) the day it is
    rectified. days_overdue = D - deadline when the deadline has passed (deadline < D, the
    rule of the KPI major_hazards_overdue), else 0. The enterprise is the register's
    (latest version) by credit code, when the hazard names one.

    The subset of open_hazards_daily, and a view like it: the level filter reaches the spans
    before the calendar join.
-#}
{{ config(materialized='view') }}

select *  -- noqa: AM04
from {{ ref('open_hazards_daily') }}
where level = '重大' or is_supervised = '是'
