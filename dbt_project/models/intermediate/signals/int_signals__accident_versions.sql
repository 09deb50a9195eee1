{#- Every version of every accident with the days it was the bureau's latest (macro
    as_of_versions), its grade level, and whether its deaths rose over the version before. -#}
with versions as (
    {{ safetywh.as_of_versions('accidents', 'accident_id', {
        'accident_id': 'accident_id', 'occurred_at': 'occurred_at', 'township': 'township_code',
        'deaths': 'deaths', 'serious_injuries': 'serious_injuries', 'direct_loss_10k_cny': 'direct_loss_10k_cny',
        '_source_path': 'source_path', '_row_number': 'source_row_number'}) }}
)

select
    accident_id,
    occurred_at,
    cast(occurred_at as date) as occurred_on,
    township_code,
    coalesce(deaths, 0) as deaths,
    {{ safetywh.accident_grade_level('coalesce(deaths, 0)', 'coalesce(serious_injuries, 0)', 'coalesce(direct_loss_10k_cny, 0)') }} as grade_level,
    coalesce(deaths, 0) > coalesce(lag(coalesce(deaths, 0)) over (
        partition by accident_id order by received_at, source_path, source_row_number), coalesce(deaths, 0)) as deaths_rose,
    min(received_at) over (partition by accident_id) as first_received_at,
    sender_code,
    received_at,
    visible_from,
    visible_until
from versions
