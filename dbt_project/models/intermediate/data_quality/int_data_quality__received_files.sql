{#-
    The files that count as a delivery of their feed by their sender: one row per file.

    Decisions:
    - A loaded file counts, even when some of its rows were quarantined (the ledger came;
      the bad rows are alerted separately).
    - A rejected file does not count: nothing of it could be used. Its sender is alerted
      with the reason, and the period becomes on time or late when a readable file comes.
    - A duplicate (identical content to a file already received) of a loaded file counts:
      a ledger with nothing new this week is legitimately the same file as last week's.
    - Files outside landing/<feed>/<sender>/ (no feed or no sender) cannot count.
-#}
with files as (
    select * from {{ ref('stg_warehouse__files') }}
)

select
    files.file_id,
    files.sender_code,
    files.feed,
    files.path,
    files.received_at,
    files.status
from files
left join files as original on original.file_id = files.duplicate_of
where files.feed is not null
  and files.sender_code is not null
  and (files.status = 'loaded' or (files.status = 'duplicate' and original.status = 'loaded'))
