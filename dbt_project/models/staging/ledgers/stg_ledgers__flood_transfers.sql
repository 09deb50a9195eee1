{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='transfer_id') }}
{{ stage_ledger('flood_transfers') }}
