{#-
    Accidents and deaths by industry sector (kpis.md "Also required as tables"), YTD vs
    LY-same-period, for every date of the calendar: ONE row per as_of x sector.

    Decision: the sectors listed are those that appear in the accident ledger (any year),
    so a sector with accidents only last year still shows its 下降; ly columns are null when
    last year's same period lies before the data. Wording as the scoreboard (持平 /
    去年同期无 / 上升x.x% / 下降x.x%).
-#}
with dates as (
    select date_day, year, ly_date, is_scoreboard_date, is_ly_covered
    from {{ ref('int_calendar__dates') }}
),

accidents as (
    select * from {{ ref('int_accidents__graded') }}
    where sector is not null
),

sectors as (
    select distinct sector from accidents
),

daily as (
    select sector, occurred_on, count(*) as accidents, sum(deaths) as deaths
    from accidents
    group by sector, occurred_on
),

cumulative as (
    select
        dates.date_day,
        sectors.sector,
        sum(coalesce(daily.accidents, 0)) over w as accidents,
        sum(coalesce(daily.deaths, 0)) over w as deaths
    from dates
    cross join sectors
    left join daily
        on daily.sector = sectors.sector and daily.occurred_on = dates.date_day
    window w as (partition by sectors.sector, dates.year order by dates.date_day)
),

compared as (
    select
        dates.date_day as as_of,
        cur.sector,
        cast(cur.accidents as bigint) as accidents,
        cast(case when dates.is_ly_covered then ly.accidents end as bigint) as accidents_ly,
        cast(cur.deaths as bigint) as deaths,
        cast(case when dates.is_ly_covered then ly.deaths end as bigint) as deaths_ly
    from dates
    inner join cumulative as cur on cur.date_day = dates.date_day
    left join cumulative as ly on ly.sector = cur.sector and ly.date_day = dates.ly_date
    where dates.is_scoreboard_date
)

select
    as_of,
    sector,
    accidents,
    accidents_ly,
    accidents - accidents_ly as accidents_change,
    {{ change_pct('accidents', 'accidents_ly') }} as accidents_change_pct,
    {{ change_text('accidents', 'accidents_ly') }} as accidents_change_text,
    deaths,
    deaths_ly,
    deaths - deaths_ly as deaths_change,
    {{ change_pct('deaths', 'deaths_ly') }} as deaths_change_pct,
    {{ change_text('deaths', 'deaths_ly') }} as deaths_change_text
from compared
