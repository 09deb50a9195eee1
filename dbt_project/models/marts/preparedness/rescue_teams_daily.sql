{#-
    Every registered rescue team (应急救援队伍 register, latest versions) with its drills and
    trainings in the year to date, for every date of the calendar: ONE row per as_of x
    team of the register.

    drills (类型 演练), trainings (培训): records of the drill ledger naming the team, held in
    YTD (1 January of as_of's year through as_of); last_held_on: the latest of them (any
    kind); is_trained: at least one record of any kind in YTD (kpis.md
    team_training_coverage_pct = trained teams / registered teams). township_name is 市级
    for a city-level team (no township). Set-based: per-day counts cumulated per team and year.
-#}
with dates as (
    select date_day, year, is_scoreboard_date from {{ ref('int_calendar__dates') }}
),

teams as (
    select team_id, name, team_type, township_code, members from {{ ref('stg_ledgers__rescue_teams') }}
),

townships as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
),

daily as (
    select
        drills.team_id,
        drills.held_on as date_day,
        count(*) as sessions,
        count(*) filter (where drills.kind = '演练') as drills,
        count(*) filter (where drills.kind = '培训') as trainings,
        max(drills.held_on) as last_held_on
    from {{ ref('stg_ledgers__drills') }} as drills
    inner join teams on teams.team_id = drills.team_id
    where drills.held_on is not null
    group by drills.team_id, drills.held_on
),

cumulative as (
    select
        dates.date_day,
        dates.is_scoreboard_date,
        teams.team_id,
        sum(coalesce(daily.sessions, 0)) over ytd as sessions,
        sum(coalesce(daily.drills, 0)) over ytd as drills,
        sum(coalesce(daily.trainings, 0)) over ytd as trainings,
        max(daily.last_held_on) over ytd as last_held_on
    from dates
    cross join teams
    left join daily on daily.team_id = teams.team_id and daily.date_day = dates.date_day
    window ytd as (partition by teams.team_id, dates.year order by dates.date_day)
)

select
    cast(cumulative.date_day as date) as as_of,
    cast(teams.team_id as varchar) as team_id,
    cast(teams.name as varchar) as team_name,
    cast(teams.team_type as varchar) as team_type,
    cast(teams.township_code as varchar) as township_code,
    cast(coalesce(townships.township_name, '市级') as varchar) as township_name,
    cast(teams.members as bigint) as members,
    cast(cumulative.drills as bigint) as drills,
    cast(cumulative.trainings as bigint) as trainings,
    cast(cumulative.last_held_on as date) as last_held_on,
    cast(cumulative.sessions > 0 as boolean) as is_trained
from cumulative
inner join teams on teams.team_id = cumulative.team_id
left join townships on townships.township_code = teams.township_code
where cumulative.is_scoreboard_date
