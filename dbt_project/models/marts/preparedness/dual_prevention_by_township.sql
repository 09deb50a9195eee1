{#-
    The dual prevention mechanism (双重预防机制) of high-risk enterprises by township, from
    the enterprise register as it stands (a register snapshot, no history): ONE row per
    township of the profile, plus any other township code of a high-risk enterprise.
    high_risk_enterprises: register rows with 是否高危企业 = 是; established: those with
    双重预防机制 = 已建立; established_pct = 100 x established / high_risk_enterprises, 2
    decimals, null when the township has no high-risk enterprise. Over all townships the
    shares give kpis.md high_risk_dual_prevention_pct.
-#}
with enterprises as (
    select township_code, dual_prevention from {{ ref('stg_ledgers__enterprises') }}
    where is_high_risk = '是'
),

profile as (
    select township_code, township_name from {{ ref('stg_profile__townships') }}
),

townships as (
    select township_code from profile
    union
    select township_code from enterprises where township_code is not null
),

counts as (
    select
        townships.township_code,
        count(enterprises.township_code) as high_risk_enterprises,
        count(enterprises.township_code) filter (where enterprises.dual_prevention = '已建立') as established
    from townships
    left join enterprises on enterprises.township_code = townships.township_code
    group by townships.township_code
)

select
    cast(counts.township_code as varchar) as township_code,
    cast(coalesce(profile.township_name, counts.township_code) as varchar) as township_name,
    cast(counts.high_risk_enterprises as bigint) as high_risk_enterprises,
    cast(counts.established as bigint) as established,
    cast(round({{ safetywh.ratio('100.0 * counts.established', 'nullif(counts.high_risk_enterprises, 0)') }}, 2) as double)
        as established_pct
from counts
left join profile on profile.township_code = counts.township_code
