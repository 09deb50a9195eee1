-- The county profile's signals: section defines every window, threshold, point, cap, band
-- and season of the early-warning method (a missing key would silently stop a signal).
-- A returned row names a parameter that is missing (null).
{%- set columns = (safetywh.signal_parameter_keys().keys() | list) + (safetywh.signal_text_keys().keys() | list)
                  + ['weekly_deadline_weekday', 'weekly_deadline_hour', 'forest_area_median_ha'] %}
with parameters as (
    select * from {{ ref('int_signals__parameters') }}
)

{% for column in columns -%}
select '{{ column }}' as parameter from parameters where {{ column }} is null
{{ "union all" if not loop.last }}
{% endfor -%}
