{{ stage_ledger('accidents') }}
