{{ stage_ledger('forest_fires') }}
