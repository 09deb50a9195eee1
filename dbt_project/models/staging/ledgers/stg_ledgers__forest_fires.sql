{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='fire_id') }}
{{ stage_ledger('forest_fires') }}
