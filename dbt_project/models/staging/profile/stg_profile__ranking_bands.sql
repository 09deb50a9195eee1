select cast(min_total as double) as min_total, label
from {{ source('profile', 'ranking_bands') }}
