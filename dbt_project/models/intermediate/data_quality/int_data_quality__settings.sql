{#-
    The reporting-deadline settings of the county profile (deadlines.* in profile.yaml,
    flattened into ref.settings) as ONE typed row, with the reporting window and the
    clock the lateness is judged against.

    Decisions:
    - Reporting window: only periods lying wholly inside [window_start, window_until] are
      tracked, so a demo of 2022-2023 judged in 2026 does not flag 150 weeks as missing.
      window_start defaults to the day the first file was received (a county that just
      started); an empty window_end means "up to today" (window_until = as_of's date).
    - as_of is the wall clock of the county's time zone (county.timezone): received times
      are stored as Asia/Shanghai wall clock too, so they compare directly.
    - township_feeds: the feeds every township must send on schedule (feeds.md: every
      township sends hazards weekly); defaults to hazards when the key is absent.
    - Missing deadline keys fall back to feeds.md's values (Monday 12:00, 24 h, 5th, 10th).
-#}
with settings as (
    select key, num_value, nullif(nullif(trim(text_value), ''), 'None') as text_value
    from {{ ref('stg_profile__settings') }}
),

first_file as (
    select min(received_on) as first_received_on
    from {{ ref('stg_warehouse__files') }}
),

picked as (
    select
        max(text_value) filter (where key = 'county.timezone') as timezone,
        max(num_value) filter (where key = 'deadlines.weekly.weekday') as weekly_weekday,
        max(num_value) filter (where key = 'deadlines.weekly.hour') as weekly_hour,
        max(num_value) filter (where key = 'deadlines.event_hours') as event_hours,
        max(num_value) filter (where key = 'deadlines.register_day') as register_day,
        max(num_value) filter (where key = 'deadlines.relief_day') as relief_day,
        max(text_value) filter (where key = 'deadlines.window_start') as window_start,
        max(text_value) filter (where key = 'deadlines.window_end') as window_end,
        {{ safetywh.ordered_list_agg('text_value', 'key') }} filter (
            where key like 'deadlines.township\_feeds.%' escape '\' and text_value is not null
        ) as township_feeds
    from settings
),

typed as (
    select
        coalesce(cast(picked.window_start as date), first_file.first_received_on) as window_start,
        cast(picked.window_end as date) as window_end,
        {{ safetywh.wall_clock('now()', "coalesce(picked.timezone, 'Asia/Shanghai')") }} as as_of,
        cast(coalesce(picked.weekly_weekday, 1) as integer) as weekly_weekday,
        cast(coalesce(picked.weekly_hour, 12) as integer) as weekly_hour,
        cast(coalesce(picked.event_hours, 24) as integer) as event_hours,
        cast(coalesce(picked.register_day, 5) as integer) as register_day,
        cast(coalesce(picked.relief_day, 10) as integer) as relief_day,
        coalesce(picked.township_feeds, {{ safetywh.string_list(['hazards']) }}) as township_feeds
    from picked
    cross join first_file
)

select
    window_start,
    window_end,
    coalesce(window_end, cast(as_of as date)) as window_until,
    as_of,
    weekly_weekday,
    weekly_hour,
    event_hours,
    register_day,
    relief_day,
    township_feeds
from typed
