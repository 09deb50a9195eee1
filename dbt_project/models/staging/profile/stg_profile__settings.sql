select key, num_value, text_value
from {{ source('profile', 'settings') }}
