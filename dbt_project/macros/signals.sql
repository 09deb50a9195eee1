{#-
    The early-warning method (README "Early warning"): its parameters and the small
    formulas shared by the signal and risk models.
-#}

{#- Column of int_signals__parameters -> key of ref.settings (the profile's `signals:`
    section). One list for the model and for its presence test. -#}
{% macro signal_parameter_keys() -%}
    {{ return({
    'recent_weeks': 'signals.recent_weeks',
    'drop_base_weeks': 'signals.self_report_drop.base_weeks',
    'drop_base_min': 'signals.self_report_drop.base_min',
    'drop_own_max_ratio': 'signals.self_report_drop.own_max_ratio',
    'drop_p_max': 'signals.self_report_drop.p_max',
    'drop_inspections_min': 'signals.self_report_drop.inspections_min',
    'drop_found_min': 'signals.self_report_drop.found_min',
    'zero_base_weeks': 'signals.zero_run.base_weeks',
    'zero_run_min': 'signals.zero_run.run_min',
    'zero_p_max': 'signals.zero_run.p_max',
    'late_window_days': 'signals.late_report.window_days',
    'late_first_report_hours': 'signals.late_report.first_report_hours',
    'late_supplement_days': 'signals.late_report.supplement_days',
    'unreported_weeks': 'signals.enforcement_unreported.weeks',
    'unreported_lookback_days': 'signals.enforcement_unreported.lookback_days',
    'unreported_inspections_min': 'signals.enforcement_unreported.inspections_min',
    'unreported_share_min': 'signals.enforcement_unreported.share_min',
    'points_overdue_major': 'signals.risk.points.overdue_major',
    'points_overdue_general': 'signals.risk.points.overdue_general',
    'points_no_dual_prevention': 'signals.risk.points.no_dual_prevention',
    'points_not_inspected': 'signals.risk.points.not_inspected',
    'points_signal': 'signals.risk.points.signal',
    'points_recent_accident': 'signals.risk.points.recent_accident',
    'points_major_accident': 'signals.risk.points.major_accident',
    'points_forest_fire': 'signals.risk.points.forest_fire',
    'points_flood_transfer': 'signals.risk.points.flood_transfer',
    'points_preparedness_gap': 'signals.risk.points.preparedness_gap',
    'cap_overdue_general': 'signals.risk.caps.overdue_general',
    'cap_no_dual_prevention': 'signals.risk.caps.no_dual_prevention',
    'cap_not_inspected': 'signals.risk.caps.not_inspected',
    'overdue_general_days': 'signals.risk.overdue_general_days',
    'not_inspected_days': 'signals.risk.not_inspected_days',
    'recent_accident_days': 'signals.risk.recent_accident_days',
    'major_accident_days': 'signals.risk.major_accident_days',
    'forest_fire_days': 'signals.risk.forest_fire_days',
    'flood_transfer_days': 'signals.risk.flood_transfer_days',
    'risk_drill_lookback_days': 'signals.risk.drill_lookback_days',
    'band_red': 'signals.risk.bands.red',
    'band_orange': 'signals.risk.bands.orange',
    'band_yellow': 'signals.risk.bands.yellow',
    'backtest_weeks': 'signals.backtest_weeks',
}) }}
{%- endmacro %}

{#- Text settings of the method: column -> key (month-day 'MM-DD'). -#}
{% macro signal_text_keys() -%}
    {{ return({
    'forest_season_start': 'signals.risk.forest_season.start',
    'forest_season_end': 'signals.risk.forest_season.end',
    'flood_season_start': 'signals.risk.flood_season.start',
    'flood_season_end': 'signals.risk.flood_season.end',
}) }}
{%- endmacro %}

{#- A date as month * 100 + day (0401 = 1 April), to compare with a season's 'MM-DD'. -#}
{% macro month_day(date_expr) -%}
    (month({{ date_expr }}) * 100 + day({{ date_expr }}))
{%- endmacro %}

{#- Whether a date lies in a season from 'MM-DD' to 'MM-DD' (both included), a season
    that starts later in the year than it ends runs across the new year. -#}
{% macro in_season(date_expr, start_expr, end_expr) -%}
    (case when {{ start_expr }} <= {{ end_expr }}
          then {{ month_day(date_expr) }} between {{ start_expr }} and {{ end_expr }}
          else {{ month_day(date_expr) }} >= {{ start_expr }} or {{ month_day(date_expr) }} <= {{ end_expr }}
     end)
{%- endmacro %}

{#- The accident grade of State Council Order 493 art. 3 as a level (1 一般 .. 4 特别重大):
    the highest grade any criterion reaches. -#}
{% macro accident_grade_level(deaths, injuries, loss) -%}
    (case
        when {{ deaths }} >= 30 or {{ injuries }} >= 100 or {{ loss }} >= 10000 then 4
        when {{ deaths }} >= 10 or {{ injuries }} >= 50 or {{ loss }} >= 5000 then 3
        when {{ deaths }} >= 3 or {{ injuries }} >= 10 or {{ loss }} >= 1000 then 2
        else 1
    end)
{%- endmacro %}

{#- Every version of a ledger's records with the days on which the bureau held it as the
    latest: visible_from = the day its file was received, visible_until = the day the
    next version (received time, then path, then row: the staging order) was received,
    exclusive; null = still the latest. The version in force "as of D" is the one with
    visible_from <= D < visible_until: a later correction never changes an earlier view.
    `columns` maps raw column -> output name. -#}
{% macro as_of_versions(feed, record_id, columns) -%}
select
    {%- for column, alias in columns.items() %}
    {{ adapter.quote(column) }} as {{ alias }},
    {%- endfor %}
    _sender_code as sender_code,
    _received_at as received_at,
    cast(_received_at as date) as visible_from,
    lead(cast(_received_at as date)) over (
        partition by {{ adapter.quote(record_id) }}
        order by _received_at, _source_path, _row_number
    ) as visible_until
from {{ source('ledgers', feed) }}
{%- endmacro %}

{#- The version of `alias` in force as of `as_of` (see as_of_versions). -#}
{% macro visible_on(alias, as_of) -%}
    ({{ alias }}.visible_from <= {{ as_of }} and ({{ alias }}.visible_until is null or {{ alias }}.visible_until > {{ as_of }}))
{%- endmacro %}

{#- What a set of versions holds on each day, as steps: one row per `keys` and interval
    [visible_from, visible_until) (null = still held) over which the sums of `measures`
    (name -> expression per version) over the versions held stay the same; intervals
    holding nothing are left out. Summed per key before meeting the as-of dates: the
    versions a weekly file re-sends share their received days, so the steps grow with the
    files, not with the rows. `source` has the keys, visible_from and visible_until. -#}
{% macro held_steps(source, keys, measures) -%}
{%- set k = keys | join(', ') -%}
select * from (
    select
        {{ k }},
        step_from as visible_from,
        lead(step_from) over (partition by {{ k }} order by step_from) as visible_until
        {%- for name in measures %},
        sum({{ name }}) over (partition by {{ k }} order by step_from rows between unbounded preceding and current row) as {{ name }}
        {%- endfor %}
    from (
        select {{ k }}, step_from{% for name in measures %}, sum({{ name }}) as {{ name }}{% endfor %}
        from (
            select {{ k }}, visible_from as step_from{% for name, expr in measures.items() %}, {{ expr }} as {{ name }}{% endfor %}
            from {{ source }}
            union all
            select {{ k }}, visible_until{% for name, expr in measures.items() %}, -({{ expr }}){% endfor %}
            from {{ source }}
            where visible_until is not null
        ) as changes
        group by {{ k }}, step_from
    ) as changes_per_day
) as steps
where {% for name in measures %}{{ name }} <> 0{{ ' or ' if not loop.last }}{% endfor %}
{%- endmacro %}
