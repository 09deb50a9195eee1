-- Every component lies between 0 and its weight (preparedness: its weight), and a
-- non-vetoed total is the sum of its components (which are rounded to 2 decimals each, so
-- the sum may differ from the total by at most 5 x 0.005).
-- A returned row is a township-period with a component out of bounds or a total that is
-- not the sum of its components.
with rankings as (
    select * from {{ ref('township_rankings') }}
),

parameters as (
    select * from {{ ref('int_profile__parameters') }}
)

select
    rankings.period,
    rankings.township_code,
    rankings.total,
    rankings.s_acc,
    rankings.s_haz,
    rankings.s_enf,
    rankings.s_prep,
    rankings.s_rep
from rankings
cross join parameters as p
where rankings.s_acc not between 0 and p.weight_accidents
   or rankings.s_haz not between 0 and p.weight_hazards
   or rankings.s_enf not between 0 and p.weight_enforcement
   or rankings.s_prep not between 0 and p.weight_preparedness
   or rankings.s_rep not between 0 and p.weight_reporting
   or (not rankings.vetoed and abs(
        rankings.total - (rankings.s_acc + rankings.s_haz + rankings.s_enf + rankings.s_prep + rankings.s_rep)
      ) > 0.025 + 1e-9)
   or rankings.total is null
