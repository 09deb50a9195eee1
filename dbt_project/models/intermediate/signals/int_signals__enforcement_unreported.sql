{#-
    Signal 4, enforcement finds what the ledger never had (执法发现未自报), per as-of date D
    and township t: among the inspections in t in the last 13 weeks (ending latest_week_end)
    with hazards_found >= 1 (the denominator), those at an enterprise (credit code) for which
    no hazard sent by t (as held on D) has found_on in the 90 days before the inspection
    date, the inspection day excluded. Fires when there are >= 5 of them and they are >= 0.6
    of the denominator.
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

inspections as (
    select dates.as_of, i.inspection_id, i.received_at as version_received_at, i.township_code, i.credit_code, i.inspected_on
    from dates
    cross join parameters
    inner join {{ ref('int_signals__inspection_versions') }} as i
        on i.inspected_on between {{ safetywh.add_days('dates.latest_week_end', '-7 * parameters.unreported_weeks + 1') }} and dates.latest_week_end
        and {{ safetywh.visible_on('i', 'dates.as_of') }}
    where i.hazards_found >= 1
),

-- every (inspection version, hazard version) pair that would make the inspection reported:
-- the same enterprise, sent by the inspection's township, found in the 90 days before it;
-- found once, then checked per as-of date on the hazard's visibility (an equality join)
pairs as (
    select i.inspection_id, i.received_at as version_received_at, h.visible_from, h.visible_until
    from {{ ref('int_signals__inspection_versions') }} as i
    cross join parameters
    inner join {{ ref('int_signals__hazard_versions') }} as h
        on h.credit_code = i.credit_code
        and h.sender_code = i.township_code
        and h.found_on between {{ safetywh.add_days('i.inspected_on', '-parameters.unreported_lookback_days') }}
            and {{ safetywh.add_days('i.inspected_on', -1) }}
    where i.hazards_found >= 1
),

reported as (
    select distinct i.as_of, i.inspection_id
    from inspections as i
    inner join pairs as h
        on h.inspection_id = i.inspection_id
        and h.version_received_at = i.version_received_at
        and {{ safetywh.visible_on('h', 'i.as_of') }}
),

counts as (
    select
        i.as_of,
        i.township_code,
        count(*) as inspections_with_findings,
        count(*) filter (where reported.inspection_id is null) as unreported
    from inspections as i
    left join reported
        on reported.as_of = i.as_of and reported.inspection_id = i.inspection_id
    group by i.as_of, i.township_code
)

select
    dates.as_of,
    townships.township_code,
    cast(coalesce(counts.inspections_with_findings, 0) as integer) as inspections_with_findings,
    cast(coalesce(counts.unreported, 0) as integer) as unreported,
    case when counts.inspections_with_findings > 0
         then {{ safetywh.ratio('counts.unreported', 'counts.inspections_with_findings') }} end as unreported_share,
    coalesce(counts.unreported, 0) >= parameters.unreported_inspections_min
        and coalesce({{ safetywh.ratio('counts.unreported', 'counts.inspections_with_findings') }}, 0) >= parameters.unreported_share_min as fires
from dates
cross join townships
cross join parameters
left join counts
    on counts.as_of = dates.as_of and counts.township_code = townships.township_code
