-- The county profile defines every target, weight, penalty, quota, point, deadline and
-- band the numbers use (a missing key would silently turn figures into nulls).
-- A returned row names a parameter that is missing (null) or, for bands, says there are none.
with parameters as (
    select * from {{ ref('int_profile__parameters') }}
),

as_text as (
    select columns(* exclude (veto_grades))::varchar from parameters
),

unpivoted as (
    from as_text
    unpivot include nulls (parameter_value for parameter in (columns(*)))
)

select parameter from unpivoted where parameter_value is null
union all
select 'ranking.veto_grades' from parameters where len(veto_grades) = 0
union all
select 'ranking.bands' where not exists (select 1 from {{ ref('stg_profile__ranking_bands') }})
