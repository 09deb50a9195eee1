{#-
    Which dates the data covers: ONE row.

    Decisions (where the specification is silent):
    - A "fact date" is a date on which something happened in an event ledger: accident
      occurred, hazard found or rectified, inspection, forest fire, flood transfer, relief
      affected or paid, drill held. Register dates (enterprise updated, depot completed,
      plan issued or filed) and deadlines do not extend the coverage: they can lie years
      back or in the future.
    - A fact date later than the day its file was received is impossible (nobody reports
      what has not happened) and is ignored for the coverage, so one mistyped year cannot
      stretch the calendar into the future.
    - data_start = 1 January of the year of the earliest fact date; latest_data_on = the
      latest fact date. The scoreboard, the by-sector and by-township tables and the
      挂牌督办 list exist for every date in [data_start, latest_data_on].
    - ranking_start: townships rank only from 1 January of the first year in which a
      township sent the warehouse a file (earlier years are there as last-year comparison
      data, when townships did not report to the warehouse and would all score 0 on
      reporting); if no township file was received by latest_data_on, from data_start.
    - calc_start / calc_end bound the internal calendar: one year before data_start (for
      last-year comparisons) up to the end of the last week / month / quarter that
      contains latest_data_on.
-#}
with fact_dates as (
    select occurred_on as fact_on, cast(received_at as date) as received_on
    from {{ ref('int_accidents__graded') }}
    union all
    select found_on, cast(received_at as date) from {{ ref('stg_ledgers__hazards') }}
    union all
    select rectified_on, cast(received_at as date) from {{ ref('stg_ledgers__hazards') }}
    where rectified_on is not null
    union all
    select inspected_on, cast(received_at as date) from {{ ref('stg_ledgers__inspections') }}
    union all
    select started_on, cast(received_at as date) from {{ ref('int_forest_fires__graded') }}
    union all
    select transferred_on, cast(received_at as date) from {{ ref('stg_ledgers__flood_transfers') }}
    union all
    select affected_on, cast(received_at as date) from {{ ref('stg_ledgers__relief') }}
    union all
    select relieved_on, cast(received_at as date) from {{ ref('stg_ledgers__relief') }}
    where relieved_on is not null
    union all
    select held_on, cast(received_at as date) from {{ ref('stg_ledgers__drills') }}
),

bounds as (
    select
        min(fact_on) as first_fact_on,
        max(fact_on) as latest_data_on
    from fact_dates
    where fact_on is not null
      and (received_on is null or fact_on <= received_on)
),

township_files as (
    select min(files.received_on) as first_township_file_on
    from {{ ref('stg_warehouse__files') }} as files
    inner join {{ ref('stg_profile__townships') }} as townships
        on files.sender_code = townships.township_code
),

coverage as (
    select
        cast({{ dbt.date_trunc('year', 'bounds.first_fact_on') }} as date) as data_start,
        bounds.latest_data_on,
        township_files.first_township_file_on
    from bounds
    cross join township_files
    where bounds.first_fact_on is not null
)

select
    data_start,
    latest_data_on,
    case
        when first_township_file_on <= latest_data_on
            then greatest(data_start, cast({{ dbt.date_trunc('year', 'first_township_file_on') }} as date))
        else data_start
    end as ranking_start,
    cast({{ dbt.dateadd('year', -1, 'data_start') }} as date) as calc_start,
    greatest(
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, dbt.date_trunc('quarter', 'latest_data_on'))) }} as date),
        cast({{ dbt.dateadd('day', 6, dbt.date_trunc('week', 'latest_data_on')) }} as date)
    ) as calc_end
from coverage
