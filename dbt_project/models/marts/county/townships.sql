{#-
    The county's townships (the profile's townships.csv): ONE row per township. Pickers and
    every per-township table take names and forest areas from here.
-#}
select
    cast(township_code as varchar) as township_code,
    cast(township_name as varchar) as township_name,
    cast(short_name as varchar) as short_name,
    cast(kind as varchar) as kind,
    cast(forest_area_ha as double) as forest_area_ha
from {{ ref('stg_profile__townships') }}
