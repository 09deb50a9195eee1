-- A fact dated after the calendar's horizon (profile calendar.horizon) is counted in no
-- daily mart: the run warns, naming how many and the latest, instead of dropping them
-- silently. The fix is the profile's: move calendar.horizon on.
{{ config(severity='warn') }}
select
    facts_after_horizon,
    latest_fact_on,
    calc_end
from {{ ref('int_calendar__coverage') }}
where facts_after_horizon > 0
