{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='township_code') }}
{{ stage_ledger('reserve_depots') }}
