{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='credit_code') }}
{{ stage_ledger('enterprises') }}
