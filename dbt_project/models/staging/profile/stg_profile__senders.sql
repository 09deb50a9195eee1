select sender_code, sender_name, short_name, sender_kind, alert_email, feeds
from {{ source('profile', 'senders') }}
