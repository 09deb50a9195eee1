{#-
    Every production-safety accident (latest version of each record) with its grade after
    State Council Order 493 (int_accidents__graded): ONE row per accident. The ledger's
    free-text summary (事故简况) is left out: it may name people.
-#}
with accidents as (
    select * from {{ ref('int_accidents__graded') }}
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
)

select
    cast(accidents.accident_id as varchar) as accident_id,
    cast(accidents.occurred_at as timestamp) as occurred_at,
    cast(accidents.occurred_on as date) as occurred_on,
    cast(accidents.township_code as varchar) as township_code,
    cast(townships.township_name as varchar) as township_name,
    cast(accidents.sector as varchar) as sector,
    cast(accidents.credit_code as varchar) as credit_code,
    cast(accidents.accident_type as varchar) as accident_type,
    cast(accidents.deaths as bigint) as deaths,
    cast(accidents.serious_injuries as bigint) as serious_injuries,
    cast(accidents.direct_loss_10k_cny as double) as direct_loss_10k_cny,
    cast(accidents.grade as varchar) as grade,
    cast(accidents.is_major as boolean) as is_major
from accidents
left join townships on accidents.township_code = townships.township_code
