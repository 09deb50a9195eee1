{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='relief_id') }}
{{ stage_ledger('relief') }}
