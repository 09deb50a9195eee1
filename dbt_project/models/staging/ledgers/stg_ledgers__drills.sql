{{ stage_ledger('drills') }}
