{#-
    The counts and sums behind the KPI scoreboard, cumulated for every day of the calendar:
    ONE row per date, one column per measure (what the scoreboard divides and compares).

    Set-based and linear: each fact becomes one or two dated "events" (measure, day, the
    year it counts for, amount); events are summed per day and cumulated with window
    functions (macros/cumulate_events.sql), so no date x event cross join is needed however
    long the data runs.

    - YTD measures (year_key set) restart every 1 January and count only events keyed to
      that year, e.g. a major hazard found in 2023 and rectified on 2024-01-03 never counts
      as rectified for a 2023 date (it was not, by Dec 31) nor for a 2024 date (it was not
      found in 2024's YTD).
    - All-time measures (year_key null) run from the first day of the calendar; events
      before it count from that day.
    - A count "with deadline < D" is cumulated at {{ safetywh.add_days('deadline', 1) }} day.
-#}
{%- set ytd_measures = [
    'accidents', 'accident_deaths', 'major_accidents', 'zero_sector_breaches',
    'major_forest_fires', 'forest_damaged_ha', 'relief_cases', 'relief_relieved',
    'teams_trained', 'major_hazards_found', 'major_hazards_rectified', 'hazards_due',
    'hazards_due_ontime', 'inspections', 'penalties', 'judicial_transfers', 'fines_10k_cny',
    'people_transferred',
] -%}
{%- set all_time_measures = ['depots_completed', 'plans_issued', 'plans_filed', 'major_hazards_overdue'] -%}

with dates as (
    select * from {{ ref('int_calendar__dates') }}
),

coverage as (
    select * from {{ ref('int_calendar__coverage') }}
),

accidents as (
    select * from {{ ref('int_accidents__graded') }}
),

fires as (
    select * from {{ ref('int_forest_fires__graded') }}
),

hazards as (
    select * from {{ ref('stg_ledgers__hazards') }}
),

relief as (
    select * from {{ ref('stg_ledgers__relief') }}
    where in_hardship = '是'
),

teams as (
    select team_id from {{ ref('stg_ledgers__rescue_teams') }}
),

enterprises as (
    select * from {{ ref('stg_ledgers__enterprises') }}
),

-- zero_sector_breaches: a sector's first accident of year Y counts from that day when the
-- sector had no accident in the whole of Y-1 (kpis.md: "0 accidents in LY").
sector_years as (
    select sector, year(occurred_on) as year, min(occurred_on) as first_on
    from accidents
    group by sector, year(occurred_on)
),

events as (
    select 'accidents' as measure, occurred_on as event_on, year(occurred_on) as year_key, cast(1 as double) as amount
    from accidents
    union all
    select 'accident_deaths', occurred_on, year(occurred_on), deaths from accidents
    union all
    select 'major_accidents', occurred_on, year(occurred_on), 1 from accidents where is_major
    union all
    select 'zero_sector_breaches', this_year.first_on, this_year.year, 1
    from sector_years as this_year
    left join sector_years as last_year
        on this_year.sector = last_year.sector and last_year.year = this_year.year - 1
    where last_year.sector is null
    union all
    select 'major_forest_fires', started_on, year(started_on), 1 from fires where is_major
    union all
    select 'forest_damaged_ha', started_on, year(started_on), damaged_forest_ha from fires
    union all
    -- relief: hardship cases affected in YTD; relieved on or before D
    select 'relief_cases', affected_on, year(affected_on), 1 from relief
    union all
    select 'relief_relieved', greatest(affected_on, relieved_on), year(affected_on), 1
    from relief where relieved_on is not null
    union all
    -- a register team counts from its first drill or training of the year
    select 'teams_trained', min(drills.held_on), year(drills.held_on), 1
    from {{ ref('stg_ledgers__drills') }} as drills
    inner join teams on drills.team_id = teams.team_id
    group by drills.team_id, year(drills.held_on)
    union all
    -- depots of the county's townships, 已建成 with completed_on <= D (any year)
    select 'depots_completed', depots.completed_on, null, 1
    from {{ ref('stg_ledgers__reserve_depots') }} as depots
    inner join {{ ref('stg_profile__townships') }} as townships
        on depots.township_code = townships.township_code
    where depots.status = '已建成' and depots.completed_on is not null
    union all
    select 'plans_issued', issued_on, null, 1 from {{ ref('stg_ledgers__plans') }}
    where issued_on is not null
    union all
    select 'plans_filed', greatest(issued_on, filed_on), null, 1 from {{ ref('stg_ledgers__plans') }}
    where issued_on is not null and filed_on is not null
    union all
    select 'major_hazards_found', found_on, year(found_on), 1 from hazards where level = '重大'
    union all
    select 'major_hazards_rectified', greatest(found_on, rectified_on), year(found_on), 1
    from hazards where level = '重大' and rectified_on is not null
    union all
    -- overdue on D  <=>  deadline < D and not (rectified_on <= D)
    --               <=>  D in [deadline + 1, rectified_on - 1]   (open-ended while open; macros/overdue.sql)
    select 'major_hazards_overdue', {{ overdue_before_as_of_from('deadline') }}, null, 1
    from hazards
    where level = '重大' and (rectified_on is null or rectified_on > {{ overdue_before_as_of_from('deadline') }})
    union all
    select 'major_hazards_overdue', rectified_on, null, -1
    from hazards
    where level = '重大' and rectified_on > {{ overdue_before_as_of_from('deadline') }}
    union all
    -- hazards with deadline in YTD and deadline < D: counted from deadline + 1
    select 'hazards_due', {{ safetywh.add_days('deadline', 1) }}, year(deadline), 1 from hazards
    union all
    select 'hazards_due_ontime', {{ safetywh.add_days('deadline', 1) }}, year(deadline), 1 from hazards
    where rectified_on <= deadline
    union all
    select 'inspections', inspected_on, year(inspected_on), 1
    from {{ ref('stg_ledgers__inspections') }}
    union all
    select 'penalties', inspected_on, year(inspected_on), 1
    from {{ ref('stg_ledgers__inspections') }}
    where action in {{ penalty_actions() }}
    union all
    select 'judicial_transfers', inspected_on, year(inspected_on), 1
    from {{ ref('stg_ledgers__inspections') }}
    where action in {{ judicial_transfer_actions() }}
    union all
    select 'fines_10k_cny', inspected_on, year(inspected_on), coalesce(fine_10k_cny, 0)
    from {{ ref('stg_ledgers__inspections') }}
    union all
    select 'people_transferred', transferred_on, year(transferred_on), coalesce(people_transferred, 0)
    from {{ ref('stg_ledgers__flood_transfers') }}
),

cumulative as (
    {{ safetywh.cumulate_events('events', ytd_measures, all_time_measures, calendar='coverage') }}
),

constants as (
    select
        (select count(*) from teams) as teams_registered,
        (select count(*) from enterprises where is_high_risk = '是') as high_risk_enterprises,
        (select count(*) from enterprises
         where is_high_risk = '是' and dual_prevention = '已建立') as high_risk_dual_established,
        (select county_forest_area_ha from {{ ref('int_profile__parameters') }}) as county_forest_area_ha
)

select
    dates.date_day,
    dates.year,
    dates.ly_date,
    dates.is_year_end,
    -- the scoreboard's dates: the calendar's, up to the latest data date (readers take the
    -- latest scoreboard date as "the data's latest date")
    dates.is_scoreboard_date and dates.date_day <= coverage.latest_data_on as is_scoreboard_date,
    dates.is_ly_covered,
    -- the whole of the previous year lies inside the data (zero_sector_breaches needs it)
    dates.year - 1 >= year(coverage.data_start) as is_prior_year_covered,
{%- for measure in ytd_measures + all_time_measures %}
    cast(cumulative.{{ measure }} as double) as {{ measure }},
{%- endfor %}
    cast(constants.teams_registered as double) as teams_registered,
    cast(constants.high_risk_enterprises as double) as high_risk_enterprises,
    cast(constants.high_risk_dual_established as double) as high_risk_dual_established,
    constants.county_forest_area_ha
from dates
cross join coverage
cross join constants
inner join cumulative on cumulative.date_day = dates.date_day
