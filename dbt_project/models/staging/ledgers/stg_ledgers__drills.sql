{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='drill_id') }}
{{ stage_ledger('drills') }}
