{#-
    The township assessment and ranking (ranking.md, 周通报、月排名、季考核): ONE row per
    ranked week / month / quarter x township, 29 rows a period. Every weight, penalty,
    quota, point and band comes from the county profile (int_profile__parameters,
    stg_profile__ranking_bands); the defaults reproduce ranking.md to the hundredth.

        S_acc  = max(0, W_acc - pen_acc x a - pen_death x d)
        S_haz  = max(0, W_haz x rate - pen_overdue x overdue), rate = ontime / due, 1 when due = 0
        S_enf  = W_enf x min(1, n / quota), quota = days(P) x per_7_days / 7
        S_prep = W_prep x (depot + plan + drill points earned) / (all three points)
                 (defaults: 15 x earned / 15 = earned points, 5 each)
        S_rep  = W_rep x pass x on_time
        total  = round(S_acc + S_haz + S_enf + S_prep + S_rep, 2); 0 when vetoed

    Components are shown rounded to 2 decimals; the total is rounded from the unrounded
    sum (ranking.md), both half away from zero. Competition rank on the rounded total among
    non-vetoed townships (1, 2, 2, 4), vetoed share (non-vetoed count + 1). Movement is the
    previous period's rank (same kind) minus this rank, null when the previous period is
    not ranked. weakest_component is the component with the most points lost (weight minus
    score; ties go to the first in the order accidents, hazards, enforcement, preparedness,
    reporting; null when nothing was lost): "the component that cost them most".
    Red list (红榜): no accident in P and not named (ranking.md: a bulletin never praises and
    criticises the same township), so a vetoed township is never on it, and in a period
    where every township ties, all are named and the red list is empty.
    inspection_quota is the quota as shown: the whole number of inspections that earns the
    full score, ceil(days(P) x per_7_days / 7) (kpis.md: never 104.29 次); S_enf divides by
    the unrounded quota, which gives the same score for every whole number of inspections
    at or above it.
-#}
with inputs as (
    select * from {{ ref('int_rankings__inputs') }}
),

parameters as (
    select * from {{ ref('int_profile__parameters') }}
),

-- each band from its min_total up to the next band's (the greatest lower bound of a total)
bands as (
    select
        min_total,
        lead(min_total) over (order by min_total) as next_min_total,
        label
    from {{ ref('stg_profile__ranking_bands') }}
),

rates as (
    select
        inputs.*,
        case when inputs.hazards_due = 0 then 1.0
             else {{ safetywh.ratio('inputs.hazards_due_ontime', 'inputs.hazards_due') }} end as hazard_rate,
        inputs.period_days * p.inspections_per_7_days / 7.0 as inspection_quota,
        (case when inputs.has_depot then p.preparedness_points_depot else 0 end)
            + (case when inputs.has_plan then p.preparedness_points_plan else 0 end)
            + (case when inputs.has_drill then p.preparedness_points_drill else 0 end) as preparedness_points,
        p.preparedness_points_depot + p.preparedness_points_plan + p.preparedness_points_drill as preparedness_points_max,
        case when inputs.rows_loaded + inputs.rows_quarantined = 0 then 1.0
             else {{ safetywh.ratio('inputs.rows_loaded', 'inputs.rows_loaded + inputs.rows_quarantined') }} end as pass_rate,
        case when inputs.report_weeks_due = 0 then 1.0
             else {{ safetywh.ratio('inputs.report_weeks_on_time', 'inputs.report_weeks_due') }} end as on_time_rate
    from inputs
    cross join parameters as p
),

raw_scores as (
    select
        rates.*,
        greatest(0, p.weight_accidents
            - p.accident_penalty_per_accident * rates.accidents
            - p.accident_penalty_per_death * rates.deaths) as s_acc_raw,
        greatest(0, p.weight_hazards * rates.hazard_rate
            - p.hazard_penalty_per_overdue_major * rates.majors_overdue_at_period_end) as s_haz_raw,
        p.weight_enforcement * case when rates.inspection_quota > 0
            then least(1.0, rates.inspections / rates.inspection_quota) else 1.0 end as s_enf_raw,
        case when rates.preparedness_points_max > 0
            then p.weight_preparedness * rates.preparedness_points / rates.preparedness_points_max
            else 0 end as s_prep_raw,
        p.weight_reporting * rates.pass_rate * rates.on_time_rate as s_rep_raw,
        rates.veto_accident or rates.veto_fire as vetoed
    from rates
    cross join parameters as p
),

scored as (
    select
        raw_scores.*,
        {{ round_half_up('s_acc_raw', 2) }} as s_acc,
        {{ round_half_up('s_haz_raw', 2) }} as s_haz,
        {{ round_half_up('s_enf_raw', 2) }} as s_enf,
        {{ round_half_up('s_prep_raw', 2) }} as s_prep,
        {{ round_half_up('s_rep_raw', 2) }} as s_rep,
        case when vetoed then 0.0
             else {{ round_half_up('(s_acc_raw + s_haz_raw + s_enf_raw + s_prep_raw + s_rep_raw)', 2) }}
        end as total
    from raw_scores
),

ranked as (
    select
        scored.*,
        case when not vetoed
            then rank() over (partition by period_type, period, vetoed order by total desc)
            else count(*) filter (where not vetoed) over (partition by period_type, period) + 1
        end as rank,
        -- 1 = the lowest distinct rank among non-vetoed townships
        case when not vetoed
            then dense_rank() over (partition by period_type, period, vetoed order by total asc)
        end as distinct_rank_from_bottom
    from scored
),

lost as (
    select
        ranked.*,
        round(p.weight_accidents - s_acc, 2) as lost_acc,
        round(p.weight_hazards - s_haz, 2) as lost_haz,
        round(p.weight_enforcement - s_enf, 2) as lost_enf,
        round(p.weight_preparedness - s_prep, 2) as lost_prep,
        round(p.weight_reporting - s_rep, 2) as lost_rep,
        p.veto_label,
        p.named_lowest_distinct_ranks
    from ranked
    cross join parameters as p
),

finished as (
    select
        lost.*,
        greatest(lost_acc, lost_haz, lost_enf, lost_prep, lost_rep) as lost_max,
        previous.rank as previous_rank,
        bands.label as band_label
    from lost
    left join ranked as previous
        on previous.period_type = lost.period_type
        and previous.period = lost.previous_period
        and previous.township_code = lost.township_code
    left join bands
        on lost.total >= bands.min_total
        and (bands.next_min_total is null or lost.total < bands.next_min_total)
)

select
    period_type,
    period,
    period_start,
    period_end,
    is_complete,
    as_of,
    township_code,
    township_name,
    cast(total as double) as total,
    cast(s_acc as double) as s_acc,
    cast(s_haz as double) as s_haz,
    cast(s_enf as double) as s_enf,
    cast(s_prep as double) as s_prep,
    cast(s_rep as double) as s_rep,
    vetoed,
    case
        when veto_accident and veto_fire then '较大及以上生产安全事故、森林火灾'
        when veto_accident then '较大及以上生产安全事故'
        when veto_fire then '较大及以上森林火灾'
    end as veto_reason,
    cast(rank as integer) as rank,
    cast(previous_rank - rank as integer) as movement,
    case when vetoed then veto_label else band_label end as band,
    accidents = 0 and not (vetoed or distinct_rank_from_bottom <= named_lowest_distinct_ranks) as red_list,
    vetoed or distinct_rank_from_bottom <= named_lowest_distinct_ranks as named,
    case
        when lost_max <= 0 then null
        when lost_acc = lost_max then 'accidents'
        when lost_haz = lost_max then 'hazards'
        when lost_enf = lost_max then 'enforcement'
        when lost_prep = lost_max then 'preparedness'
        else 'reporting'
    end as weakest_component,
    case
        when lost_max <= 0 then null
        when lost_acc = lost_max then '事故控制'
        when lost_haz = lost_max then '隐患治理'
        when lost_enf = lost_max then '执法检查'
        when lost_prep = lost_max then '应急准备'
        else '信息报送'
    end as weakest_component_label,
    cast(case when lost_max > 0 then lost_max end as double) as weakest_component_lost,
    cast(accidents as integer) as accidents,
    cast(deaths as integer) as deaths,
    cast(forest_fires as integer) as forest_fires,
    cast(hazards_due as integer) as hazards_due,
    cast(hazards_due_ontime as integer) as hazards_due_ontime,
    cast(majors_overdue_at_period_end as integer) as overdue_major_hazards,
    cast(inspections as integer) as inspections,
    {{ whole_quota('inspection_quota') }} as inspection_quota,
    has_depot,
    has_plan,
    has_drill,
    cast(files_received as integer) as files_received,
    cast(rows_loaded as bigint) as rows_loaded,
    cast(rows_quarantined as bigint) as rows_quarantined,
    cast(report_weeks_due as integer) as report_weeks_due,
    cast(report_weeks_on_time as integer) as report_weeks_on_time
from finished
