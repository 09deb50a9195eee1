{#-
    Forest fires by township against the township's forest area, for every date the data
    covers: ONE row per as_of x township (all townships of the profile every date).

    Fire counts and damaged forest are township_kpis_daily's (YTD, LY-same-period), so the
    figures agree with the township table; damage_permille = 1000 x damaged forest (ha) /
    the township's forest area (ha), 4 decimals, null when the township has no forest area.
-#}
with kpis as (
    select as_of, township_code, township_name, forest_fires, forest_fires_ly, forest_fire_damaged_ha
    from {{ ref('township_kpis_daily') }}
),

townships as (
    select township_code, forest_area_ha from {{ ref('stg_profile__townships') }}
)

select
    cast(kpis.as_of as date) as as_of,
    cast(kpis.township_code as varchar) as township_code,
    cast(kpis.township_name as varchar) as township_name,
    cast(kpis.forest_fires as bigint) as forest_fires,
    cast(kpis.forest_fires_ly as bigint) as forest_fires_ly,
    cast(kpis.forest_fire_damaged_ha as double) as forest_fire_damaged_ha,
    cast(townships.forest_area_ha as double) as forest_area_ha,
    cast(round({{ safetywh.ratio('1000.0 * kpis.forest_fire_damaged_ha', 'nullif(townships.forest_area_ha, 0)') }}, 4) as double)
        as damage_permille
from kpis
left join townships on kpis.township_code = townships.township_code
