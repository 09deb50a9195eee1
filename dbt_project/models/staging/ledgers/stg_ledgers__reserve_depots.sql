{{ stage_ledger('reserve_depots') }}
