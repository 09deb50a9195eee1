-- Every ranked period lists every township of the county profile exactly once (29 in
-- Ningxiang), and only those.
-- A returned row is a period (with the township concerned, if any) that breaks this:
-- a township missing from the period, listed twice, or not in the profile.
with rankings as (
    select period_type, period, township_code, count(*) as rows_for_township
    from {{ ref('township_rankings') }}
    group by period_type, period, township_code
),

periods as (
    select distinct period_type, period from {{ ref('township_rankings') }}
),

expected as (
    select periods.period_type, periods.period, townships.township_code
    from periods
    cross join {{ ref('stg_profile__townships') }} as townships
)

select
    coalesce(expected.period_type, rankings.period_type) as period_type,
    coalesce(expected.period, rankings.period) as period,
    coalesce(expected.township_code, rankings.township_code) as township_code,
    coalesce(rankings.rows_for_township, 0) as rows_for_township
from expected
full outer join rankings
    on expected.period_type = rankings.period_type
    and expected.period = rankings.period
    and expected.township_code = rankings.township_code
where rankings.rows_for_township is distinct from 1
   or expected.township_code is null
