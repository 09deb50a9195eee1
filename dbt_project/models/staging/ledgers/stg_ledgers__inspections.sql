{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='inspection_id') }}
{{ stage_ledger('inspections') }}
