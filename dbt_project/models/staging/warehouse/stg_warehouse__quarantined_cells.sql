select
    file_id,
    feed,
    sender_code,
    path,
    row_number,
    record_id,
    column_name,
    column_header,
    value,
    rule,
    reason,
    run_id,
    quarantined_at
from {{ source('warehouse', 'quarantine') }}
