{#- The numeric parameters of the county profile: column of int_profile__parameters ->
    key of ref.settings. One list for the model and for the test that every one is set
    (tests/assert_profile_parameters_present.sql). -#}
{% macro profile_parameter_keys() -%}
    {{ return({
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
}) }}
{%- endmacro %}
