{#-
    Every forest fire (latest version of each record) with its grade after 《森林防火条例》
    art. 40 (int_forest_fires__graded): ONE row per fire.
-#}
with fires as (
    select * from {{ ref('int_forest_fires__graded') }}
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
)

select
    cast(fires.fire_id as varchar) as fire_id,
    cast(fires.started_at as timestamp) as started_at,
    cast(fires.started_on as date) as started_on,
    cast(fires.township_code as varchar) as township_code,
    cast(townships.township_name as varchar) as township_name,
    cast(fires.burned_area_ha as double) as burned_area_ha,
    cast(fires.damaged_forest_ha as double) as damaged_forest_ha,
    cast(fires.deaths as bigint) as deaths,
    cast(fires.serious_injuries as bigint) as serious_injuries,
    cast(fires.cause as varchar) as cause,
    cast(fires.grade as varchar) as grade,
    cast(fires.is_major as boolean) as is_major
from fires
left join townships on fires.township_code = townships.township_code
