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
    - data_start = the profile's calendar.start (int_calendar__bounds), not the earliest
      fact: the calendar must not move with the ledgers. latest_data_on = the latest fact
      date, at most the calendar's horizon; the scoreboard exists for every date in
      [data_start, latest_data_on] and readers take "the latest data date" from here (the
      other daily marts span the whole calendar, so a new file moves only what reads it).
    - latest_fact_on / facts_after_horizon: the latest fact date and how many fact dates lie
      after the horizon (not counted anywhere: assert_fact_dates_within_calendar warns).
    - ranking_start: townships rank only from 1 January of the first year in which a
      township sent the warehouse a file (earlier years are there as last-year comparison
      data, when townships did not report to the warehouse and would all score 0 on
      reporting); if no township file was received by latest_data_on, from data_start.
    - calc_start / calc_end: the internal calendar's bounds (int_calendar__bounds).
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

calendar as (
    select * from {{ ref('int_calendar__bounds') }}
),

bounds as (
    select
        max(fact_dates.fact_on) as latest_fact_on,
        count(*) filter (where fact_dates.fact_on > calendar.calendar_horizon) as facts_after_horizon
    from fact_dates
    cross join calendar
    where fact_dates.fact_on is not null
      and (fact_dates.received_on is null or fact_dates.fact_on <= fact_dates.received_on)
),

township_files as (
    select min(files.received_on) as first_township_file_on
    from {{ ref('stg_warehouse__files') }} as files
    inner join {{ ref('stg_profile__townships') }} as townships
        on files.sender_code = townships.township_code
),

coverage as (
    select
        calendar.calendar_start as data_start,
        least(bounds.latest_fact_on, calendar.calendar_horizon) as latest_data_on,
        bounds.latest_fact_on,
        bounds.facts_after_horizon,
        township_files.first_township_file_on,
        calendar.calc_start,
        calendar.calc_end
    from bounds
    cross join calendar
    cross join township_files
    where bounds.latest_fact_on is not null
)

select
    data_start,
    latest_data_on,
    case
        when first_township_file_on <= latest_data_on
            then greatest(data_start, cast({{ dbt.date_trunc('year', 'first_township_file_on') }} as date))
        else data_start
    end as ranking_start,
    calc_start,
    calc_end,
    latest_fact_on,
    facts_after_horizon
from coverage
