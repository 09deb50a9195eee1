{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='team_id') }}
{{ stage_ledger('rescue_teams') }}
