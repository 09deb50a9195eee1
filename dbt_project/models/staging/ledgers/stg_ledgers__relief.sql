{{ stage_ledger('relief') }}
