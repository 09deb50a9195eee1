select key, township_code
from {{ source('profile', 'township_keys') }}
