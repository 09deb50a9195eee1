-- The dashboards' daily marts hold one row per date and key, for every date of the
-- profile's calendar (int_calendar__dates.is_scoreboard_date) and every key the marts list.
-- A returned row is a mart that breaks this, with its row count, its distinct (date, key)
-- pairs, the pairs it should hold (dates x keys) and its rows on dates outside the calendar.
-- Counted, not joined: rows = pairs (no duplicate), no row off the calendar, and pairs =
-- dates x keys (so every combination is there). A full outer join of expected and found
-- rows named the offending keys but cost 1.3 s a build at province scale (docs/scaling.md);
-- `select as_of, <key>, count(*) ... group by all having count(*) <> 1` finds them.
-- open_hazards_daily is not listed: it is a view of int_hazards__open_spans (hazard_id
-- unique, tested there) over the calendar's dates, one row per date and hazard by
-- construction, and counting its ~7.7 M hazard-days at province scale cost 3 s a build.
{%- set marts = {
    'county_activity_daily': "'county'",
    'hazard_rectification_by_township_daily': 'township_code',
    'hazard_rectification_by_sender_daily': 'sender_code',
    'inspections_by_township_daily': 'township_code',
    'inspections_by_action_daily': 'action',
    'forest_fires_by_township_daily': 'township_code',
    'flood_transfers_by_township_daily': 'township_code',
    'relief_by_township_daily': 'township_code',
    'rescue_teams_daily': 'team_id',
    'township_preparedness_daily': 'township_code',
    'plan_filing_by_unit_daily': "owner_unit || '/' || coalesce(township_code, '')",
} %}
with dates as (
    select date_day as as_of from {{ ref('int_calendar__dates') }} where is_scoreboard_date
),

date_count as (
    select count(*) as dates from dates
),

counts as (
{%- for mart, key in marts.items() %}
    select
        '{{ mart }}' as mart,
        (select count(*) from {{ ref(mart) }}) as row_count,
        (select count(*) from (select distinct as_of, {{ key }} as key from {{ ref(mart) }}) as pairs) as pairs,
        (select count(*) from (select distinct {{ key }} as key from {{ ref(mart) }}) as keys) as keys,
        (select count(*) from {{ ref(mart) }} as m where m.as_of not in (select as_of from dates)) as rows_off_calendar
    {{ 'union all' if not loop.last }}
{%- endfor %}
)

select
    counts.mart,
    counts.row_count,
    counts.pairs,
    date_count.dates * counts.keys as expected_pairs,
    counts.rows_off_calendar
from counts
cross join date_count
where counts.row_count <> counts.pairs
   or counts.pairs <> date_count.dates * counts.keys
   or counts.rows_off_calendar > 0
