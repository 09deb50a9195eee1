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

-- the inspections with findings (the denominator's candidates), one row per version
inspections as (
    select
        inspection_id,
        received_at as version_received_at,
        township_code,
        credit_code,
        inspected_on,
        visible_from,
        coalesce(visible_until, cast('9999-12-31' as date)) as visible_until
    from {{ ref('int_signals__inspection_versions') }}
    where hazards_found >= 1
),

-- hazards with their sender, one row per (enterprise, sender, day found, visibility):
-- a weekly file re-sends many hazards with the same received days
sent_hazards as (
    select distinct
        credit_code,
        sender_code,
        found_on,
        visible_from,
        coalesce(visible_until, cast('9999-12-31' as date)) as visible_until
    from {{ ref('int_signals__hazard_versions') }}
    where credit_code is not null
),

-- every (inspection version, hazard version) pair that would make the inspection reported:
-- the same enterprise, sent by the inspection's township, found in the 90 days before it
pairs as (
    select i.inspection_id, i.version_received_at, h.visible_from, h.visible_until
    from inspections as i
    cross join parameters
    inner join sent_hazards as h
        on h.credit_code = i.credit_code
        and h.sender_code = i.township_code
        and h.found_on between {{ safetywh.add_days('i.inspected_on', '-parameters.unreported_lookback_days') }}
            and {{ safetywh.add_days('i.inspected_on', -1) }}
),

-- the days on which an inspection version is reported, as disjoint intervals: the union of
-- its pairs' visibility (gaps and islands: an interval starting after every earlier one
-- has ended opens a new island)
reach as (
    select
        *,
        max(visible_until) over (
            partition by inspection_id, version_received_at
            order by visible_from, visible_until
            rows between unbounded preceding and 1 preceding
        ) as reached_before
    from pairs
),

numbered as (
    select
        *,
        sum(case when reached_before is null or visible_from > reached_before then 1 else 0 end) over (
            partition by inspection_id, version_received_at
            order by visible_from, visible_until
            rows between unbounded preceding and current row
        ) as island
    from reach
),

islands as (
    select inspection_id, version_received_at, min(visible_from) as visible_from, max(visible_until) as visible_until
    from numbered
    group by inspection_id, version_received_at, island
),

-- the days an inspection version is held AND reported: its visibility within an island
-- (the versions of one inspection do not overlap, nor do its islands: at most one row
-- holds any day)
reported_versions as (
    select
        i.township_code,
        i.inspected_on,
        greatest(i.visible_from, islands.visible_from) as visible_from,
        least(i.visible_until, islands.visible_until) as visible_until
    from inspections as i
    inner join islands
        on islands.inspection_id = i.inspection_id and islands.version_received_at = i.version_received_at
),

-- counted per (township, day inspected, visibility) before meeting the as-of dates: the
-- count depends on the scale, the number of groups hardly
inspection_groups as (
    select township_code, inspected_on, visible_from, visible_until, count(*) as inspections, 0 as reported
    from inspections
    group by township_code, inspected_on, visible_from, visible_until
    union all
    select township_code, inspected_on, visible_from, visible_until, 0, count(*)
    from reported_versions
    where visible_from < visible_until
    group by township_code, inspected_on, visible_from, visible_until
),

counts as (
    select
        dates.as_of,
        g.township_code,
        sum(g.inspections) as inspections_with_findings,
        sum(g.inspections) - sum(g.reported) as unreported
    from dates
    cross join parameters
    inner join inspection_groups as g
        on g.inspected_on between {{ safetywh.add_days('dates.latest_week_end', '-7 * parameters.unreported_weeks + 1') }} and dates.latest_week_end
        and g.visible_from <= dates.as_of
        and g.visible_until > dates.as_of
    group by dates.as_of, g.township_code
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
