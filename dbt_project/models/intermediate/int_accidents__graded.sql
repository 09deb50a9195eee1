{#-
    Every accident (latest version) with its derived grade, State Council Order 493 art. 3:
    the highest grade any criterion reaches; "以上" includes the bound, "以下" excludes it.

        grade     deaths   serious injuries   direct loss (万元)
        特别重大   >= 30    >= 100             >= 10000
        重大       10-29    50-99              5000 to < 10000
        较大       3-9      10-49              1000 to < 5000
        一般       < 3      < 10               < 1000
-#}
with accidents as (
    select * from {{ ref('stg_ledgers__accidents') }}
),

graded as (
    select
        accident_id,
        occurred_at,
        cast(occurred_at as date) as occurred_on,
        township_code,
        sector,
        credit_code,
        accident_type,
        coalesce(deaths, 0) as deaths,
        coalesce(serious_injuries, 0) as serious_injuries,
        coalesce(direct_loss_10k_cny, 0) as direct_loss_10k_cny,
        {{ safetywh.accident_grade_level('deaths', 'serious_injuries', 'direct_loss_10k_cny') }} as grade_level,
        sender_code,
        received_at
    from accidents
)

select
    graded.accident_id,
    graded.occurred_at,
    graded.occurred_on,
    graded.township_code,
    graded.sector,
    graded.credit_code,
    graded.accident_type,
    graded.deaths,
    graded.serious_injuries,
    graded.direct_loss_10k_cny,
    graded.grade_level,
    {{ safetywh.list_element(safetywh.string_list(['一般', '较大', '重大', '特别重大']), 'graded.grade_level') }} as grade,
    -- kpis.md major_accidents: grade 较大 or above (fixed by the national rule)
    graded.grade_level >= 2 as is_major,
    graded.sender_code,
    graded.received_at
from graded
