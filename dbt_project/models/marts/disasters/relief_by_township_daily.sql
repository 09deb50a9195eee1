{#-
    Relief of disaster-affected people in living hardship (受灾群众救助), by township, year to
    date, for every date of the calendar: ONE row per as_of x township (every township of
    the profile, plus any other township code found in the ledger). Counts and amounts
    only: the ledger's names and ID numbers never leave raw.

    As kpis.md relief_coverage_pct, so the county totals equal the scoreboard:
    - cases: hardship cases (是否生活困难 = 是) affected in YTD;
    - relieved: those of them relieved on or before as_of (a case affected in December and
      relieved in January never counts as relieved: it is not in January's YTD);
    - waiting = cases - relieved;
    - coverage_pct = 100 x relieved / cases, 2 decimals, null when cases = 0;
    - amount_cny: relief paid (元) for the relieved cases.
    Set-based: a case is an event on affected_on and, once relieved, on
    greatest(affected_on, relieved_on) of the same year; cumulated per township and year.
-#}
{%- set measures = ['cases', 'relieved', 'amount_cny'] -%}

with dates as (
    select date_day, year, is_scoreboard_date from {{ ref('int_calendar__dates') }}
),

relief as (
    select township_code, affected_on, relieved_on, amount_cny
    from {{ ref('stg_ledgers__relief') }}
    where in_hardship = '是' and affected_on is not null
),

profile as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
),

townships as (
    select township_code from profile
    union
    select township_code from relief where township_code is not null
),

events as (
    select township_code, affected_on as event_on, year(affected_on) as year_key,
           1 as cases, 0 as relieved, cast(0 as double) as amount_cny
    from relief
    union all
    select township_code, greatest(affected_on, relieved_on), year(affected_on),
           0, 1, coalesce(amount_cny, 0)
    from relief
    where relieved_on is not null
),

daily as (
    select
        township_code,
        event_on as date_day,
{%- for measure in measures %}
        sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
{%- endfor %}
    from events
    where year(event_on) = year_key
    group by township_code, event_on
),

cumulative as (
    select
        dates.date_day,
        dates.is_scoreboard_date,
        townships.township_code,
{%- for measure in measures %}
        sum(coalesce(daily.{{ measure }}, 0)) over ytd as {{ measure }}{{ ',' if not loop.last }}
{%- endfor %}
    from dates
    cross join townships
    left join daily on daily.township_code = townships.township_code and daily.date_day = dates.date_day
    window ytd as (partition by townships.township_code, dates.year order by dates.date_day)
)

select
    cast(cumulative.date_day as date) as as_of,
    cast(cumulative.township_code as varchar) as township_code,
    cast(coalesce(profile.township_name, cumulative.township_code) as varchar) as township_name,
    cast(cumulative.cases as bigint) as cases,
    cast(cumulative.relieved as bigint) as relieved,
    cast(cumulative.cases - cumulative.relieved as bigint) as waiting,
    cast(round({{ safetywh.ratio('100.0 * cumulative.relieved', 'nullif(cumulative.cases, 0)') }}, 2) as double) as coverage_pct,
    cast(round(cumulative.amount_cny, 6) as double) as amount_cny
from cumulative
left join profile on profile.township_code = cumulative.township_code
where cumulative.is_scoreboard_date
