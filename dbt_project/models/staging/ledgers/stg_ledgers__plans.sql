{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='plan_id') }}
{{ stage_ledger('plans') }}
