-- The county profile defines every target, weight, penalty, quota, point, deadline and
-- band the numbers use (a missing key would silently turn figures into nulls).
-- A returned row names a parameter that is missing (null) or, for bands, says there are none.
{%- set columns = (safetywh.profile_parameter_keys().keys() | list)
                  + ['veto_label', 'calendar_start', 'calendar_horizon', 'township_count', 'county_forest_area_ha'] %}
with parameters as (
    select * from {{ ref('int_profile__parameters') }}
)

{% for column in columns -%}
select '{{ column }}' as parameter from parameters where {{ column }} is null
union all
{% endfor -%}
select 'ranking.veto_grades' as parameter from parameters where {{ safetywh.list_length('veto_grades') }} = 0
union all
select 'ranking.bands' where not exists (select 1 from {{ ref('stg_profile__ranking_bands') }})
