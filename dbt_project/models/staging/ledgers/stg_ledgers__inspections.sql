{{ stage_ledger('inspections') }}
