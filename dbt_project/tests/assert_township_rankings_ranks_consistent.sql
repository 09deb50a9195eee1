-- Ranks, bands and the named list agree with the totals (ranking.md):
--   non-vetoed rank = 1 + number of non-vetoed townships of the period with a higher total;
--   vetoed: total 0, band = the profile's veto label, rank = non-vetoed count + 1, named;
--   non-vetoed band = label of the highest band whose minimum is <= total;
--   non-vetoed named <=> its rank is among the N lowest distinct non-vetoed ranks;
--   movement = previous period's rank - rank when the previous period is ranked, else null;
--   red list <=> no accident in the period and not named (never praised and named at once).
-- A returned row is a township-period whose rank, band, named flag or movement is wrong.
with rankings as (
    select * from {{ ref('township_rankings') }}
),

parameters as (
    select veto_label, named_lowest_distinct_ranks from {{ ref('int_profile__parameters') }}
),

distinct_ranks as (
    select
        period_type, period, rank,
        row_number() over (partition by period_type, period order by rank desc) as from_bottom
    from (select distinct period_type, period, rank from rankings where not vetoed)
),

expected as (
    select
        r.period_type,
        r.period,
        r.township_code,
        case when r.vetoed
            then (select count(*) from rankings o
                  where o.period_type = r.period_type and o.period = r.period and not o.vetoed) + 1
            else (select count(*) from rankings o
                  where o.period_type = r.period_type and o.period = r.period
                    and not o.vetoed and o.total > r.total) + 1
        end as expected_rank,
        case when r.vetoed then p.veto_label
             else (select max_by(b.label, b.min_total) from {{ ref('stg_profile__ranking_bands') }} b
                   where b.min_total <= r.total)
        end as expected_band,
        r.vetoed or exists (
            select 1 from distinct_ranks dr
            where dr.period_type = r.period_type and dr.period = r.period
              and dr.rank = r.rank and dr.from_bottom <= p.named_lowest_distinct_ranks
        ) as expected_named,
        (select prev.rank - r.rank
         from {{ ref('int_calendar__periods') }} cal
         inner join rankings prev
            on prev.period_type = cal.period_type
            and prev.period = cal.previous_period
            and prev.township_code = r.township_code
         where cal.period_type = r.period_type and cal.period = r.period) as expected_movement
    from rankings r
    cross join parameters p
)

select
    rankings.period_type,
    rankings.period,
    rankings.township_code,
    rankings.total,
    rankings.vetoed,
    rankings.rank,
    expected.expected_rank,
    rankings.band,
    expected.expected_band,
    rankings.named,
    expected.expected_named,
    rankings.movement,
    expected.expected_movement
from rankings
inner join expected using (period_type, period, township_code)
where rankings.rank <> expected.expected_rank
   or rankings.band is distinct from expected.expected_band
   or rankings.named <> expected.expected_named
   or rankings.red_list <> (rankings.accidents = 0 and not expected.expected_named)
   or rankings.movement is distinct from expected.expected_movement
   or (rankings.vetoed and rankings.total <> 0)
