-- Scoreboard rows are internally consistent: a percentage lies in [0, 100]; counts and
-- sums are never negative; a null value has no status and no change; status is null
-- exactly when there is no target or no value; change_text is 持平 exactly when the values
-- are equal.
-- A returned row is a scoreboard row that breaks one of these.
select *
from {{ ref('kpi_scoreboard_daily') }}
where (unit = '%' and value not between 0 and 100)
   or value < 0
   or (value is null and (status is not null or change is not null or change_text is not null))
   or ((status is null) <> (target is null or value is null))
   or ((change_text = '持平') is distinct from (value = ly_value))
