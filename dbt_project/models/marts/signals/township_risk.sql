{#-
    The township risk level (风险预警等级) per as-of date: ONE row per as_of x township (all
    29): the points score of its leading indicators (township_risk_indicators), the level
    (score >= 40 红 重大风险, 25-39 橙 较大风险, 10-24 黄 一般风险, below 10 蓝 低风险; profile
    signals.risk.bands), at least 橙 when an open major hazard under 挂牌督办 is past its
    deadline, and the indicators that made it, largest first, as one Chinese line.
-#}
with indicators as (
    select * from {{ ref('int_signals__risk_indicators') }}
),

parameters as (
    select * from {{ ref('int_signals__parameters') }}
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
),

scored as (
    select
        as_of,
        township_code,
        sum(points) as score,
        max(detail) filter (where indicator = 'overdue_major') as supervised_overdue_major
    from indicators
    group by as_of, township_code
),

explained as (
    select
        as_of,
        township_code,
        {{ dbt.listagg("label || figure || unit || '（' || points || '分）'", "'；'", 'order by indicator_rank') }} as main_indicators
    from {{ ref('township_risk_indicators') }}
    group by as_of, township_code
),

levels as (
    select
        scored.*,
        case
            when scored.score >= parameters.band_red then 4
            when scored.score >= parameters.band_orange then 3
            when scored.score >= parameters.band_yellow then 2
            else 1
        end as score_level
    from scored
    cross join parameters
),

floored as (
    select
        levels.*,
        case when levels.supervised_overdue_major > 0 and levels.score_level < 3 then 3 else levels.score_level end as level_rank
    from levels
)

select
    floored.as_of,
    floored.township_code,
    townships.township_name,
    cast(floored.score as integer) as score,
    cast(floored.level_rank as integer) as level_rank,
    {{ safetywh.list_element(safetywh.string_list(['蓝', '黄', '橙', '红']), 'floored.level_rank') }} as level,
    {{ safetywh.list_element(safetywh.string_list(['低风险', '一般风险', '较大风险', '重大风险']), 'floored.level_rank') }} as level_name,
    floored.level_rank > floored.score_level as is_floored,
    cast(coalesce(floored.supervised_overdue_major, 0) as integer) as supervised_overdue_major,
    explained.main_indicators
from floored
inner join townships on townships.township_code = floored.township_code
left join explained
    on explained.as_of = floored.as_of and explained.township_code = floored.township_code
