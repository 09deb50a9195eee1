{#-
    The early-warning method's windows, thresholds, points, caps, bands and seasons as ONE
    row (the profile's `signals:` section in ref.settings), with the weekly ledger deadline
    (deadlines.weekly) and the median forest area of the profile's townships. A missing key
    leaves its column null: assert_signal_parameters_present reports it.
-#}
{%- set numeric = safetywh.signal_parameter_keys() -%}
{%- set text = safetywh.signal_text_keys() -%}

with settings as (
    select key, num_value, text_value
    from {{ ref('stg_profile__settings') }}
),

forest as (
    select
        forest_area_ha,
        row_number() over (order by forest_area_ha) as position,
        count(*) over () as township_count
    from {{ ref('stg_profile__townships') }}
),

-- the median of the townships' forest areas (the mean of the two middle ones for an even count)
forest_median as (
    select avg(forest_area_ha) as forest_area_median_ha
    from forest
    where position in (cast(floor((township_count + 1) / 2.0) as integer), cast(ceil((township_count + 1) / 2.0) as integer))
)

select
{%- for column, key in numeric.items() %}
    cast(max(num_value) filter (where key = '{{ key }}') as double) as {{ column }},
{%- endfor %}
{%- for column, key in text.items() %}
    -- 'MM-DD' as month * 100 + day
    cast(substr(max(text_value) filter (where key = '{{ key }}'), 1, 2) as integer) * 100
        + cast(substr(max(text_value) filter (where key = '{{ key }}'), 4, 2) as integer) as {{ column }},
{%- endfor %}
    cast(max(num_value) filter (where key = 'deadlines.weekly.weekday') as integer) as weekly_deadline_weekday,
    cast(max(num_value) filter (where key = 'deadlines.weekly.hour') as integer) as weekly_deadline_hour,
    any_value(forest_median.forest_area_median_ha) as forest_area_median_ha
from settings
cross join forest_median
