{{ stage_ledger('hazards') }}
