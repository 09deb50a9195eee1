{{ stage_ledger('plans') }}
