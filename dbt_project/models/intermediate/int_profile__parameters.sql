{#-
    Every target, weight, quota, point and deadline the numbers use, as ONE row with one
    typed column each, read from the county profile (ref.settings, flattened key / value).
    Changing the profile and rerunning changes the numbers with no code edit. A missing
    key leaves its column null, which the singular test assert_profile_parameters_present
    reports.
-#}
{%- set numeric = safetywh.profile_parameter_keys() -%}
{%- set integer_columns = ['drill_lookback_days', 'named_lowest_distinct_ranks',
                           'weekly_deadline_weekday', 'weekly_deadline_hour'] -%}

with settings as (
    select key, num_value, text_value
    from {{ ref('stg_profile__settings') }}
),

townships as (
    select
        count(*) as township_count,
        sum(forest_area_ha) as county_forest_area_ha
    from {{ ref('stg_profile__townships') }}
)

select
{%- for column, key in numeric.items() %}
    cast(max(num_value) filter (where key = '{{ key }}') as {{ 'integer' if column in integer_columns else 'double' }}) as {{ column }},
{%- endfor %}
    max(text_value) filter (where key = 'ranking.veto_label') as veto_label,
    -- the calendar of the daily marts (int_calendar__bounds)
    cast(max(text_value) filter (where key = 'calendar.start') as date) as calendar_start,
    cast(max(text_value) filter (where key = 'calendar.horizon') as date) as calendar_horizon,
    -- grades that veto a township (ranking.veto_grades.0, .1, ...)
    coalesce(
        {{ safetywh.ordered_list_agg('text_value', 'key') }} filter (where key like 'ranking.veto_grades.%'),
        {{ safetywh.string_list([]) }}
    ) as veto_grades,
    any_value(townships.township_count) as township_count,
    any_value(townships.county_forest_area_ha) as county_forest_area_ha
from settings
cross join townships
