{{ stage_ledger('rescue_teams') }}
