{#-
    Flood emergency transfers (防汛紧急转移) by township, year to date, for every date the
    data covers: ONE row per as_of x township (every township of the profile, plus any
    other township code found in the ledger; a township with no transfer in the YTD has
    zeros and a null last_transfer_on).

    transfers: transfers with transferred_on in YTD; people_transferred: their people
    (kpis.md people_transferred, so the county total equals the scoreboard); red ... blue:
    transfers under each warning level; last_transfer_on: the latest transfer date in YTD.
    Set-based: per-day sums cumulated with a window partitioned by township and year.
-#}
{%- set levels = {'red': '红', 'orange': '橙', 'yellow': '黄', 'blue': '蓝'} -%}
{%- set measures = ['transfers', 'people_transferred'] + (levels.keys() | list) -%}

with dates as (
    select date_day, year, is_scoreboard_date from {{ ref('int_calendar__dates') }}
),

transfers as (
    select township_code, transferred_on, warning_level, people_transferred
    from {{ ref('stg_ledgers__flood_transfers') }}
    where transferred_on is not null
),

profile as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
),

townships as (
    select township_code from profile
    union
    select township_code from transfers where township_code is not null
),

daily as (
    select
        township_code,
        transferred_on as date_day,
        count(*) as transfers,
        sum(coalesce(people_transferred, 0)) as people_transferred,
{%- for name, level in levels.items() %}
        count(*) filter (where warning_level = '{{ level }}') as {{ name }},
{%- endfor %}
        max(transferred_on) as last_transfer_on
    from transfers
    group by township_code, transferred_on
),

cumulative as (
    select
        dates.date_day,
        dates.is_scoreboard_date,
        townships.township_code,
{%- for measure in measures %}
        sum(coalesce(daily.{{ measure }}, 0)) over ytd as {{ measure }},
{%- endfor %}
        max(daily.last_transfer_on) over ytd as last_transfer_on
    from dates
    cross join townships
    left join daily on daily.township_code = townships.township_code and daily.date_day = dates.date_day
    window ytd as (partition by townships.township_code, dates.year order by dates.date_day)
)

select
    cast(cumulative.date_day as date) as as_of,
    cast(cumulative.township_code as varchar) as township_code,
    cast(coalesce(profile.township_name, cumulative.township_code) as varchar) as township_name,
{%- for measure in measures %}
    cast(cumulative.{{ measure }} as bigint) as {{ measure }},
{%- endfor %}
    cast(cumulative.last_transfer_on as date) as last_transfer_on
from cumulative
left join profile on profile.township_code = cumulative.township_code
where cumulative.is_scoreboard_date
