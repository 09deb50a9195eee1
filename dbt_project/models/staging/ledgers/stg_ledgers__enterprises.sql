{{ stage_ledger('enterprises') }}
