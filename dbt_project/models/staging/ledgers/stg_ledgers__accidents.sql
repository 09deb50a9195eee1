{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='accident_id') }}
{{ stage_ledger('accidents') }}
