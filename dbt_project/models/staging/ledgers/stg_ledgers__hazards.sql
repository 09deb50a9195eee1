{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='hazard_id') }}
{{ stage_ledger('hazards') }}
