{#-
    Every forest fire (latest version) with its derived grade, 《森林防火条例》 art. 40:
    the highest grade any criterion reaches.
        特别重大: damaged forest >= 1000 ha, or deaths >= 30, or serious injuries >= 100
        重大:     100 to < 1000 ha, or 10-29 deaths, or 50-99 serious injuries
        较大:     1 to < 100 ha, or 3-9 deaths, or 10-49 serious injuries
        一般:     otherwise
-#}
with fires as (
    select * from {{ ref('stg_ledgers__forest_fires') }}
),

graded as (
    select
        fire_id,
        started_at,
        cast(started_at as date) as started_on,
        township_code,
        coalesce(burned_area_ha, 0) as burned_area_ha,
        coalesce(damaged_forest_ha, 0) as damaged_forest_ha,
        coalesce(deaths, 0) as deaths,
        coalesce(serious_injuries, 0) as serious_injuries,
        cause,
        case
            when damaged_forest_ha >= 1000 or deaths >= 30 or serious_injuries >= 100 then 4
            when damaged_forest_ha >= 100 or deaths >= 10 or serious_injuries >= 50 then 3
            when damaged_forest_ha >= 1 or deaths >= 3 or serious_injuries >= 10 then 2
            else 1
        end as grade_level,
        sender_code,
        received_at
    from fires
)

select
    graded.fire_id,
    graded.started_at,
    graded.started_on,
    graded.township_code,
    graded.burned_area_ha,
    graded.damaged_forest_ha,
    graded.deaths,
    graded.serious_injuries,
    graded.cause,
    graded.grade_level,
    {{ safetywh.list_element(safetywh.string_list(['一般', '较大', '重大', '特别重大']), 'graded.grade_level') }} as grade,
    graded.grade_level >= 2 as is_major,
    graded.sender_code,
    graded.received_at
from graded
