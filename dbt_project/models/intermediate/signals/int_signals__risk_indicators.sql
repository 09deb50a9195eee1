{#-
    The leading indicators of the township risk level, per as-of date D and township t,
    over what the bureau held on D: ONE row per D x t x indicator (all 29 townships, every
    indicator, figure 0 and points 0 when it does not apply). Points from the profile
    (signals.risk.points / caps):
      overdue_major          open major hazards of t with deadline < D (open: not rectified on or before D) x 10
      overdue_general        open general hazards of t more than 30 days past their deadline x 1, at most 10
      no_dual_prevention     high-risk enterprises of t without dual prevention (未建立) x 3, at most 15
      not_inspected          high-risk enterprises of t with no inspection (any township) in the 90 days ending on D x 2, at most 10
      signal_<name>          each under-reporting signal firing: 8
      recent_accident        an accident of t in the 30 days ending on D: 5 (once)
      major_accident         a 较大 or worse accident of t in the 90 days ending on D: 15 (once)
      forest_fire            D in the forest-fire season, t's forest area above the profile's median and a forest fire in t in the 30 days ending on D: 8
      flood_transfer         D in the flood season and a flood transfer in t in the 14 days ending on D: 5
      no_depot / no_plan / no_drill   preparedness gaps as of D: the depot not 已建成 (completed on or before D), no 总体 plan filed on or before D, no drill or training in t in the 365 days ending on D: 3 each
    supervised_overdue_majors (the 挂牌督办 ones among overdue_major) is carried as the
    figure's detail: one of them forces the level to at least 橙 (township_risk).
-#}
with dates as (
    select as_of, latest_week_end from {{ ref('int_signals__as_of_dates') }}
),

parameters as (
    select * from {{ ref('int_signals__parameters') }}
),

townships as (
    select township_code, forest_area_ha from {{ ref('stg_profile__townships') }}
),

grid as (
    select dates.as_of, townships.township_code, townships.forest_area_ha
    from dates
    cross join townships
),

-- a hazard version counts on the days D it is held, past its deadline and not yet
-- rectified (overdue_before_as_of): deadline < D < rectified_on, visible_from <= D < visible_until. As one
-- interval [from, until) per version, found before meeting the as-of dates: most hazards
-- are rectified in time and never meet one
overdue_versions as (
    select
        township_code,
        level,
        is_supervised,
        deadline,
        greatest(visible_from, {{ overdue_before_as_of_from('deadline') }}) as overdue_from,
        least(coalesce(visible_until, cast('9999-12-31' as date)), coalesce(rectified_on, cast('9999-12-31' as date))) as overdue_until
    from {{ ref('int_signals__hazard_versions') }}
    where deadline is not null and level in ('重大', '一般')
),

overdue_intervals as (
    select * from overdue_versions where overdue_from < overdue_until
),

hazards as (
    select
        dates.as_of,
        h.township_code,
        count(*) filter (where h.level = '重大') as overdue_major,
        count(*) filter (where h.level = '重大' and h.is_supervised = '是') as supervised_overdue_major,
        count(*) filter (where h.level = '一般'
            and {{ safetywh.days_between('h.deadline', 'dates.as_of') }} > parameters.overdue_general_days) as overdue_general
    from dates
    cross join parameters
    inner join overdue_intervals as h
        on h.overdue_from <= dates.as_of
        and h.overdue_until > dates.as_of
    group by dates.as_of, h.township_code
),

high_risk as (
    select dates.as_of, e.township_code, e.credit_code, e.dual_prevention
    from dates
    inner join {{ ref('int_signals__enterprise_versions') }} as e
        on {{ safetywh.visible_on('e', 'dates.as_of') }}
    where e.is_high_risk = '是'
),

inspected as (
    select distinct hr.as_of, hr.credit_code
    from high_risk as hr
    cross join parameters
    inner join {{ ref('int_signals__inspection_versions') }} as i
        on i.credit_code = hr.credit_code
        and i.inspected_on between {{ safetywh.add_days('hr.as_of', '-parameters.not_inspected_days + 1') }} and hr.as_of
        and {{ safetywh.visible_on('i', 'hr.as_of') }}
),

enterprises as (
    select
        hr.as_of,
        hr.township_code,
        count(*) filter (where hr.dual_prevention is distinct from '已建立') as no_dual_prevention,
        count(*) filter (where inspected.credit_code is null) as not_inspected
    from high_risk as hr
    left join inspected on inspected.as_of = hr.as_of and inspected.credit_code = hr.credit_code
    group by hr.as_of, hr.township_code
),

accidents as (
    select
        dates.as_of,
        a.township_code,
        count(*) filter (where a.occurred_on > {{ safetywh.add_days('dates.as_of', '-parameters.recent_accident_days') }}) as recent_accidents,
        count(*) filter (where a.grade_level >= 2) as major_accidents
    from dates
    cross join parameters
    inner join {{ ref('int_signals__accident_versions') }} as a
        on a.occurred_on between {{ safetywh.add_days('dates.as_of', '-greatest(parameters.recent_accident_days, parameters.major_accident_days) + 1') }} and dates.as_of
        and {{ safetywh.visible_on('a', 'dates.as_of') }}
    group by dates.as_of, a.township_code
),

-- registers and events (int_signals__event_versions) held on D, counted over their windows
events as (
    select
        dates.as_of,
        e.township_code,
        count(*) filter (where e.kind = 'depot' and e.event_on <= dates.as_of) as depots,
        count(*) filter (where e.kind = 'plan' and e.event_on <= dates.as_of) as plans,
        count(*) filter (where e.kind = 'drill' and e.event_on <= dates.as_of
            and e.event_on > {{ safetywh.add_days('dates.as_of', '-parameters.risk_drill_lookback_days') }}) as drills,
        count(*) filter (where e.kind = 'forest_fire' and e.event_on <= dates.as_of
            and e.event_on > {{ safetywh.add_days('dates.as_of', '-parameters.forest_fire_days') }}) as forest_fires,
        count(*) filter (where e.kind = 'flood_transfer' and e.event_on <= dates.as_of
            and e.event_on > {{ safetywh.add_days('dates.as_of', '-parameters.flood_transfer_days') }}) as flood_transfers
    from dates
    cross join parameters
    inner join {{ ref('int_signals__event_versions') }} as e
        on e.event_on <= dates.as_of
        and {{ safetywh.visible_on('e', 'dates.as_of') }}
    group by dates.as_of, e.township_code
),

signals as (
    select as_of, township_code, 'signal_self_report_drop' as indicator, fires from {{ ref('int_signals__self_report_drop') }}
    union all
    select as_of, township_code, 'signal_zero_run', fires from {{ ref('int_signals__zero_run') }}
    union all
    select as_of, township_code, 'signal_late_report', fires from {{ ref('int_signals__late_report') }}
    union all
    select as_of, township_code, 'signal_enforcement_unreported', fires from {{ ref('int_signals__enforcement_unreported') }}
),

figures as (
    select
        grid.as_of,
        grid.township_code,
        grid.forest_area_ha,
        coalesce(hazards.overdue_major, 0) as overdue_major,
        coalesce(hazards.supervised_overdue_major, 0) as supervised_overdue_major,
        coalesce(hazards.overdue_general, 0) as overdue_general,
        coalesce(enterprises.no_dual_prevention, 0) as no_dual_prevention,
        coalesce(enterprises.not_inspected, 0) as not_inspected,
        coalesce(accidents.recent_accidents, 0) as recent_accidents,
        coalesce(accidents.major_accidents, 0) as major_accidents,
        coalesce(events.depots, 0) as depots,
        coalesce(events.plans, 0) as plans,
        coalesce(events.drills, 0) as drills,
        coalesce(events.forest_fires, 0) as forest_fires,
        coalesce(events.flood_transfers, 0) as flood_transfers
    from grid
    left join hazards on hazards.as_of = grid.as_of and hazards.township_code = grid.township_code
    left join enterprises on enterprises.as_of = grid.as_of and enterprises.township_code = grid.township_code
    left join accidents on accidents.as_of = grid.as_of and accidents.township_code = grid.township_code
    left join events on events.as_of = grid.as_of and events.township_code = grid.township_code
),

indicators as (
    select f.as_of, f.township_code, 'overdue_major' as indicator, f.overdue_major as figure,
        f.overdue_major * p.points_overdue_major as points, f.supervised_overdue_major as detail
    from figures as f cross join parameters as p
    union all
    select f.as_of, f.township_code, 'overdue_general', f.overdue_general,
        least(f.overdue_general * p.points_overdue_general, p.cap_overdue_general), null
    from figures as f cross join parameters as p
    union all
    select f.as_of, f.township_code, 'no_dual_prevention', f.no_dual_prevention,
        least(f.no_dual_prevention * p.points_no_dual_prevention, p.cap_no_dual_prevention), null
    from figures as f cross join parameters as p
    union all
    select f.as_of, f.township_code, 'not_inspected', f.not_inspected,
        least(f.not_inspected * p.points_not_inspected, p.cap_not_inspected), null
    from figures as f cross join parameters as p
    union all
    select s.as_of, s.township_code, s.indicator, case when s.fires then 1 else 0 end,
        case when s.fires then p.points_signal else 0 end, null
    from signals as s cross join parameters as p
    union all
    select f.as_of, f.township_code, 'recent_accident', f.recent_accidents,
        case when f.recent_accidents > 0 then p.points_recent_accident else 0 end, null
    from figures as f cross join parameters as p
    union all
    select f.as_of, f.township_code, 'major_accident', f.major_accidents,
        case when f.major_accidents > 0 then p.points_major_accident else 0 end, null
    from figures as f cross join parameters as p
    union all
    select f.as_of, f.township_code, 'forest_fire', f.forest_fires,
        case when f.forest_fires > 0
                  and f.forest_area_ha > p.forest_area_median_ha
                  and {{ safetywh.in_season('f.as_of', 'p.forest_season_start', 'p.forest_season_end') }}
             then p.points_forest_fire else 0 end, null
    from figures as f cross join parameters as p
    union all
    select f.as_of, f.township_code, 'flood_transfer', f.flood_transfers,
        case when f.flood_transfers > 0
                  and {{ safetywh.in_season('f.as_of', 'p.flood_season_start', 'p.flood_season_end') }}
             then p.points_flood_transfer else 0 end, null
    from figures as f cross join parameters as p
    union all
    select f.as_of, f.township_code, 'no_depot', case when f.depots = 0 then 1 else 0 end,
        case when f.depots = 0 then p.points_preparedness_gap else 0 end, null
    from figures as f cross join parameters as p
    union all
    select f.as_of, f.township_code, 'no_plan', case when f.plans = 0 then 1 else 0 end,
        case when f.plans = 0 then p.points_preparedness_gap else 0 end, null
    from figures as f cross join parameters as p
    union all
    select f.as_of, f.township_code, 'no_drill', case when f.drills = 0 then 1 else 0 end,
        case when f.drills = 0 then p.points_preparedness_gap else 0 end, null
    from figures as f cross join parameters as p
)

select
    as_of,
    township_code,
    indicator,
    cast(figure as integer) as figure,
    cast(points as integer) as points,
    cast(detail as integer) as detail
from indicators
