{#-
    Hazard rectification by sender of the hazard ledger (分报送单位整改情况: townships and
    departments), for every date of the calendar: ONE row per as_of x sender code found in
    the hazard ledger (latest versions; the sender of a record's current version). Counts
    from int_hazards__rectification_daily; rates as hazard_rectification_by_township_daily
    (2 decimals, null when the denominator is 0). The column totals equal the township
    table's and the scoreboard's.
-#}
{%- set counts = ['found_ytd', 'rectified_ytd', 'due', 'due_ontime', 'major_found', 'major_rectified',
                  'major_open', 'major_overdue'] -%}

with by_sender as (
    select
        as_of,
        sender_code,
{%- for count in counts %}
        sum({{ count }}) as {{ count }}{{ ',' if not loop.last }}
{%- endfor %}
    from {{ ref('int_hazards__rectification_daily') }}
    group by as_of, sender_code
),

senders as (
    select sender_code, sender_name, sender_kind from {{ ref('stg_profile__senders') }}
)

select
    cast(by_sender.as_of as date) as as_of,
    cast(by_sender.sender_code as varchar) as sender_code,
    cast(coalesce(senders.sender_name, by_sender.sender_code) as varchar) as sender_name,
    cast(coalesce(senders.sender_kind, '') as varchar) as sender_kind,
{%- for count in counts %}
    cast(by_sender.{{ count }} as bigint) as {{ count }},
{%- endfor %}
    cast(round({{ safetywh.ratio('100.0 * by_sender.rectified_ytd', 'nullif(by_sender.found_ytd, 0)') }}, 2) as double) as rectification_pct,
    cast(round({{ safetywh.ratio('100.0 * by_sender.due_ontime', 'nullif(by_sender.due, 0)') }}, 2) as double) as ontime_pct,
    cast(round({{ safetywh.ratio('100.0 * by_sender.major_rectified', 'nullif(by_sender.major_found, 0)') }}, 2) as double)
        as major_rectification_pct
from by_sender
left join senders on senders.sender_code = by_sender.sender_code
