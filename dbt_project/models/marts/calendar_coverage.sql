{#-
    What the data covers, for readers: ONE row (none while no fact is loaded). The daily
    marts span the profile's whole calendar (calendar_start .. calendar_horizon) so that a
    new file moves only what reads its ledger; a reader wanting "the latest data date" joins
    this row (latest_data_on, the scoreboard's last date) instead of every mart being cut
    at it. facts_after_horizon > 0: facts dated after the horizon, counted nowhere (the run
    summary says so; assert_fact_dates_within_calendar warns).
-#}
select
    cast(coverage.data_start as date) as data_start,
    cast(coverage.latest_data_on as date) as latest_data_on,
    cast(coverage.ranking_start as date) as ranking_start,
    cast(bounds.calendar_horizon as date) as calendar_horizon,
    cast(coverage.latest_fact_on as date) as latest_fact_on,
    cast(coverage.facts_after_horizon as bigint) as facts_after_horizon
from {{ ref('int_calendar__coverage') }} as coverage
cross join {{ ref('int_calendar__bounds') }} as bounds
