{{ stage_ledger('flood_transfers') }}
