-- The by-township table, the by-sector table and the 挂牌督办 list add up to the county
-- scoreboard on every date: township accidents and deaths sum to the scoreboard's
-- (every accident belongs to a township of the profile), sector accidents likewise,
-- township overdue majors and the overdue majors of the 挂牌督办 list both equal
-- major_hazards_overdue.
-- A returned row is a date on which one of these sums differs from the scoreboard.
with scoreboard as (
    select
        as_of,
        max(value) filter (where metric_id = 'accidents') as accidents,
        max(value) filter (where metric_id = 'accident_deaths') as deaths,
        max(value) filter (where metric_id = 'major_hazards_overdue') as overdue
    from {{ ref('kpi_scoreboard_daily') }}
    group by as_of
),

townships as (
    select as_of, sum(accidents) as accidents, sum(deaths) as deaths, sum(overdue_major_hazards) as overdue
    from {{ ref('township_kpis_daily') }}
    group by as_of
),

sectors as (
    select as_of, sum(accidents) as accidents
    from {{ ref('accidents_by_sector_daily') }}
    group by as_of
),

supervised as (
    select as_of, count(*) filter (where level = '重大' and is_overdue) as overdue
    from {{ ref('major_and_supervised_hazards') }}
    group by as_of
)

select
    scoreboard.as_of,
    scoreboard.accidents,
    townships.accidents as township_accidents,
    sectors.accidents as sector_accidents,
    scoreboard.deaths,
    townships.deaths as township_deaths,
    scoreboard.overdue,
    townships.overdue as township_overdue,
    supervised.overdue as supervised_overdue
from scoreboard
left join townships using (as_of)
left join sectors using (as_of)
left join supervised using (as_of)
where scoreboard.accidents <> coalesce(townships.accidents, 0)
   or scoreboard.accidents <> coalesce(sectors.accidents, 0)
   or scoreboard.deaths <> coalesce(townships.deaths, 0)
   or scoreboard.overdue <> coalesce(townships.overdue, 0)
   or scoreboard.overdue <> coalesce(supervised.overdue, 0)
