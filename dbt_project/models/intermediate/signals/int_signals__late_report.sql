{#-
    Signal 3, late casualty and accident reports (迟报补报), per as-of date D and township t:
    the accidents of t (as held on D) that occurred in the 182 days ending on D whose first
    version was received more than 24 hours after occurred_at, or whose deaths rose in a
    version received on or before D and more than 30 days after occurred_at. Fires on any.
    occurred_at and the township are those of the version in force on D.
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

versions as (
    select * from {{ ref('int_signals__accident_versions') }}
),

current_versions as (
    select dates.as_of, v.accident_id, v.township_code, v.occurred_at, v.first_received_at
    from dates
    cross join parameters
    inner join versions as v
        on v.occurred_on between {{ safetywh.add_days('dates.as_of', '-parameters.late_window_days + 1') }} and dates.as_of
        and {{ safetywh.visible_on('v', 'dates.as_of') }}
),

flagged as (
    select
        c.as_of,
        c.township_code,
        c.accident_id,
        c.first_received_at > {{ dbt.dateadd('hour', 'parameters.late_first_report_hours', 'c.occurred_at') }} as first_late,
        exists (  -- noqa: LT01, LT06
            select 1 from versions as r
            where r.accident_id = c.accident_id
              and r.deaths_rose
              and r.visible_from <= c.as_of
              and r.received_at > {{ dbt.dateadd('day', 'parameters.late_supplement_days', 'c.occurred_at') }}
        ) as deaths_late
    from current_versions as c
    cross join parameters
),

late as (
    select
        as_of,
        township_code,
        count(*) as late_accidents,
        count(*) filter (where first_late) as late_first_reports,
        count(*) filter (where deaths_late) as late_death_reports,
        {{ dbt.listagg('accident_id', "'、'", 'order by accident_id') }} as accident_ids
    from flagged
    where first_late or deaths_late
    group by as_of, township_code
)

select
    dates.as_of,
    townships.township_code,
    cast(coalesce(late.late_accidents, 0) as integer) as late_accidents,
    cast(coalesce(late.late_first_reports, 0) as integer) as late_first_reports,
    cast(coalesce(late.late_death_reports, 0) as integer) as late_death_reports,
    late.accident_ids,
    coalesce(late.late_accidents, 0) > 0 as fires
from dates
cross join townships
left join late
    on late.as_of = dates.as_of and late.township_code = townships.township_code
