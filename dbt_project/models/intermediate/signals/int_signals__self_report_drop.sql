{#-
    Signal 1, self-reporting dried up while enforcement still finds hazards (自报骤降), per
    as-of date D and township t, over what the bureau held on D:
      own   = hazards of t sent by t with found_on in the last 8 weeks (ending latest_week_end);
      base  = the same count in the 26 weeks before those, x 8 / 26;
      p     = P(X <= own) for X ~ Poisson(base), exactly: sum over k = 0..own of
              exp(-base) base^k / k! (in logs; p = 1 when base = 0);
      found = hazards_found summed over the inspections in t in the last 8 weeks, n = their count.
    Fires when base >= 4, own <= 0.5 x base, p < 0.01, n >= 2 and found >= 1 (profile).
-#}
with dates as (
    select * from {{ ref('int_signals__as_of_dates') }}
),

parameters as (
    select * from {{ ref('int_signals__parameters') }}
),

townships as (
    select township_code from {{ ref('stg_profile__townships') }}
),

windows as (
    select
        dates.as_of,
        dates.latest_week_end,
        {{ safetywh.add_days('dates.latest_week_end', '-(7 * parameters.recent_weeks) + 1') }} as recent_start,
        {{ safetywh.add_days('dates.latest_week_end', '-(7 * (parameters.recent_weeks + parameters.drop_base_weeks)) + 1') }} as base_start
    from dates
    cross join parameters
),

-- own hazards and inspections by the Sunday of their week, as steps of what was held (macro
-- held_steps): the windows are whole ISO weeks (Monday recent_start / base_start to Sunday
-- latest_week_end), so a week's Sunday lies in a window exactly when its days do
own_versions as (
    select
        township_code,
        {{ safetywh.add_days('found_on', '(7 - ' ~ safetywh.iso_day_of_week('found_on') ~ ')') }} as week_end,
        visible_from,
        visible_until
    from {{ ref('int_signals__hazard_versions') }}
    where sender_code = township_code
),

own_hazards as (
    {{ safetywh.held_steps('own_versions', ['township_code', 'week_end'], {'hazards': '1'}) }}
),

inspection_versions as (
    select
        township_code,
        {{ safetywh.add_days('inspected_on', '(7 - ' ~ safetywh.iso_day_of_week('inspected_on') ~ ')') }} as week_end,
        hazards_found,
        visible_from,
        visible_until
    from {{ ref('int_signals__inspection_versions') }}
),

inspection_weeks as (
    {{ safetywh.held_steps('inspection_versions', ['township_code', 'week_end'],
        {'inspections': '1', 'found': 'coalesce(hazards_found, 0)'}) }}
),

hazards as (
    select
        windows.as_of,
        h.township_code,
        coalesce(sum(h.hazards) filter (where h.week_end >= windows.recent_start), 0) as own,
        coalesce(sum(h.hazards) filter (where h.week_end < windows.recent_start), 0) as base_count
    from windows
    inner join own_hazards as h
        on h.week_end between windows.base_start and windows.latest_week_end
        and {{ safetywh.visible_on('h', 'windows.as_of') }}
    group by windows.as_of, h.township_code
),

inspections as (
    select
        windows.as_of,
        i.township_code,
        sum(i.inspections) as inspections,
        sum(i.found) as found
    from windows
    inner join inspection_weeks as i
        on i.week_end between windows.recent_start and windows.latest_week_end
        and {{ safetywh.visible_on('i', 'windows.as_of') }}
    group by windows.as_of, i.township_code
),

counts as (
    select
        windows.as_of,
        windows.latest_week_end,
        windows.recent_start,
        townships.township_code,
        cast(coalesce(hazards.own, 0) as integer) as own,
        cast(coalesce(hazards.base_count, 0) as integer) as base_count,
        {{ safetywh.ratio('coalesce(hazards.base_count, 0) * parameters.recent_weeks', 'parameters.drop_base_weeks') }} as base,
        cast(coalesce(inspections.inspections, 0) as integer) as inspections,
        cast(coalesce(inspections.found, 0) as integer) as found
    from windows
    cross join townships
    cross join parameters
    left join hazards
        on hazards.as_of = windows.as_of and hazards.township_code = townships.township_code
    left join inspections
        on inspections.as_of = windows.as_of and inspections.township_code = townships.township_code
),

-- 0, 1, 2, ... up to the largest own: the terms of the Poisson sum with ln(k!)
numbers as (
    select {{ safetywh.days_between("cast('2000-01-01' as date)", 'day_value') }} as k
    from {{ safetywh.date_series("cast('2000-01-01' as date)", safetywh.add_days("cast('2000-01-01' as date)", '(select coalesce(max(own), 0) from counts)'), 'day_value') }} as series
),

log_factorials as (
    select k, sum(case when k = 0 then 0 else ln(k) end) over (order by k rows between unbounded preceding and current row) as ln_factorial
    from numbers
),

poisson as (
    select
        counts.as_of,
        counts.township_code,
        sum(exp(-counts.base + log_factorials.k * ln(counts.base) - log_factorials.ln_factorial)) as p
    from counts
    inner join log_factorials on log_factorials.k <= counts.own
    where counts.base > 0
    group by counts.as_of, counts.township_code
)

select
    counts.as_of,
    counts.township_code,
    counts.recent_start,
    counts.latest_week_end,
    counts.own,
    counts.base_count,
    counts.base,
    case when counts.base > 0 then least(poisson.p, 1.0) else 1.0 end as p,
    counts.inspections,
    counts.found,
    counts.base >= parameters.drop_base_min
        and counts.own <= parameters.drop_own_max_ratio * counts.base
        and (case when counts.base > 0 then least(poisson.p, 1.0) else 1.0 end) < parameters.drop_p_max
        and counts.inspections >= parameters.drop_inspections_min
        and counts.found >= parameters.drop_found_min as fires
from counts
cross join parameters
left join poisson
    on poisson.as_of = counts.as_of and poisson.township_code = counts.township_code
