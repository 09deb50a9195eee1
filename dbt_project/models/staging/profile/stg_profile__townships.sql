select
    township_code,
    township_name,
    short_name,
    kind,
    cast(forest_area_ha as double) as forest_area_ha,
    cast(population as bigint) as population
from {{ source('profile', 'townships') }}
