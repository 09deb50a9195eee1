{#-
    Hazard rectification by township (隐患治理, 分乡镇整改情况), for every date of the calendar:
    ONE row per as_of x township (every township of the profile, plus any other township
    code of the hazard ledger, named （未识别乡镇）). Counts from
    int_hazards__rectification_daily, rates as kpis.md, so the column totals give the
    scoreboard's figures as of the same date:
    - rectification_pct = 100 x rectified_ytd / found_ytd;
    - ontime_pct = 100 x due_ontime / due (hazard_ontime_rectification_pct);
    - major_rectification_pct = 100 x major_rectified / major_found;
    each 2 decimals, null when the denominator is 0.
-#}
{%- set counts = ['found_ytd', 'rectified_ytd', 'due', 'due_ontime', 'major_found', 'major_rectified',
                  'major_open', 'major_overdue'] -%}

with dates as (
    select date_day as as_of from {{ ref('int_calendar__dates') }}
    where is_scoreboard_date
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
),

by_township as (
    select
        as_of,
        township_code,
{%- for count in counts %}
        sum({{ count }}) as {{ count }}{{ ',' if not loop.last }}
{%- endfor %}
    from {{ ref('int_hazards__rectification_daily') }}
    group by as_of, township_code
),

grid as (
    select dates.as_of, townships.township_code, townships.township_name
    from dates
    cross join townships
),

joined as (
    select
        coalesce(grid.as_of, by_township.as_of) as as_of,
        coalesce(grid.township_code, by_township.township_code) as township_code,
        coalesce(grid.township_name, '（未识别乡镇）') as township_name,
{%- for count in counts %}
        coalesce(by_township.{{ count }}, 0) as {{ count }}{{ ',' if not loop.last }}
{%- endfor %}
    from grid
    full outer join by_township
        on by_township.as_of = grid.as_of and by_township.township_code = grid.township_code
)

select
    cast(as_of as date) as as_of,
    cast(township_code as varchar) as township_code,
    cast(township_name as varchar) as township_name,
{%- for count in counts %}
    cast({{ count }} as bigint) as {{ count }},
{%- endfor %}
    cast(round({{ safetywh.ratio('100.0 * rectified_ytd', 'nullif(found_ytd, 0)') }}, 2) as double) as rectification_pct,
    cast(round({{ safetywh.ratio('100.0 * due_ontime', 'nullif(due, 0)') }}, 2) as double) as ontime_pct,
    cast(round({{ safetywh.ratio('100.0 * major_rectified', 'nullif(major_found, 0)') }}, 2) as double) as major_rectification_pct
from joined
