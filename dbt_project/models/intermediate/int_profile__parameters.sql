{#-
    Every target, weight, quota, point and deadline the numbers use, as ONE row with one
    typed column each, read from the county profile (ref.settings, flattened key / value).
    Changing the profile and rerunning changes the numbers with no code edit. A missing
    key leaves its column null, which the singular test assert_profile_parameters_present
    reports.
-#}
{%- set numeric = {
    'accidents_max_ratio_of_ly': 'targets.accidents_max_ratio_of_ly',
    'accident_deaths_max_ratio_of_ly': 'targets.accident_deaths_max_ratio_of_ly',
    'major_accidents_max': 'targets.major_accidents_max',
    'zero_sector_breaches_max': 'targets.zero_sector_breaches_max',
    'major_forest_fires_max': 'targets.major_forest_fires_max',
    'forest_fire_damage_permille_max': 'targets.forest_fire_damage_permille_max',
    'relief_coverage_pct_min': 'targets.relief_coverage_pct_min',
    'team_training_coverage_pct_min': 'targets.team_training_coverage_pct_min',
    'depots_completed_min': 'targets.depots_completed_min',
    'plan_filing_pct_min': 'targets.plan_filing_pct_min',
    'major_hazard_rectification_pct_min': 'targets.major_hazard_rectification_pct_min',
    'major_hazards_overdue_max': 'targets.major_hazards_overdue_max',
    'high_risk_dual_prevention_pct_min': 'targets.high_risk_dual_prevention_pct_min',
    'weight_accidents': 'ranking.weights.accidents',
    'weight_hazards': 'ranking.weights.hazards',
    'weight_enforcement': 'ranking.weights.enforcement',
    'weight_preparedness': 'ranking.weights.preparedness',
    'weight_reporting': 'ranking.weights.reporting',
    'accident_penalty_per_accident': 'ranking.accident_penalty_per_accident',
    'accident_penalty_per_death': 'ranking.accident_penalty_per_death',
    'hazard_penalty_per_overdue_major': 'ranking.hazard_penalty_per_overdue_major',
    'inspections_per_7_days': 'ranking.inspections_per_7_days',
    'preparedness_points_depot': 'ranking.preparedness_points.depot',
    'preparedness_points_plan': 'ranking.preparedness_points.plan',
    'preparedness_points_drill': 'ranking.preparedness_points.drill',
    'drill_lookback_days': 'ranking.drill_lookback_days',
    'named_lowest_distinct_ranks': 'ranking.named_lowest_distinct_ranks',
    'weekly_deadline_weekday': 'deadlines.weekly.weekday',
    'weekly_deadline_hour': 'deadlines.weekly.hour',
} -%}
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
    -- grades that veto a township (ranking.veto_grades.0, .1, ...)
    coalesce(
        list(text_value order by key) filter (where key like 'ranking.veto_grades.%'),
        []::varchar[]
    ) as veto_grades,
    any_value(townships.township_count) as township_count,
    any_value(townships.county_forest_area_ha) as county_forest_area_ha
from settings
cross join townships
