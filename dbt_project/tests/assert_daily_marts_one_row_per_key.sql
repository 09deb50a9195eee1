-- The dashboards' daily marts hold one row per date and key, for every date the data
-- covers (int_calendar__dates.is_scoreboard_date) and every key the marts list.
-- A returned row is a mart, a date and a key with a number of rows other than 1.
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

{% for mart, key in marts.items() %}
{{ mart }}_rows as (
    select '{{ mart }}' as mart, as_of, {{ key }} as key, count(*) as rows_for_key
    from {{ ref(mart) }}
    group by as_of, {{ key }}
),

{{ mart }}_keys as (
    select distinct key from {{ mart }}_rows
),
{% endfor %}

expected as (
{%- for mart, key in marts.items() %}
    select '{{ mart }}' as mart, dates.as_of, {{ mart }}_keys.key
    from dates cross join {{ mart }}_keys
    {{ 'union all' if not loop.last }}
{%- endfor %}
),

found as (
{%- for mart in marts %}
    select * from {{ mart }}_rows
    {{ 'union all' if not loop.last }}
{%- endfor %}
)

select
    coalesce(expected.mart, found.mart) as mart,
    coalesce(expected.as_of, found.as_of) as as_of,
    coalesce(expected.key, found.key) as key,
    coalesce(found.rows_for_key, 0) as rows_for_key
from expected
full outer join found
    on expected.mart = found.mart and expected.as_of = found.as_of and expected.key = found.key
where found.rows_for_key is distinct from 1
   or expected.mart is null
