{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='township') }}
{{ stage_ledger('reserve_depots') }}
