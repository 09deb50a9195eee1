{#-
    Every hazard open on a date (any level), for every date of the calendar: ONE row per
    as_of x hazard found on or before as_of and not rectified by it (a township's 未整改隐患
    list; major_and_supervised_hazards is the major / 挂牌督办 subset). is_overdue: the deadline is
    before as_of; days_overdue = as_of - deadline when overdue, else 0 (the rule of the
    KPI major_hazards_overdue). The enterprise is the register's, by credit code.
    The range join yields exactly the open hazard-days (the table's rows), no more.

    A view over int_hazards__open_spans: the hazard-days are ~12 x the spans (7.7 M at
    province scale); a reader asks for one date, and DuckDB pushes as_of (and a township)
    into the join, so a date's list costs a scan of the spans (~30 ms at 4 M ledger rows).
-#}
{{ config(materialized='view') }}

with dates as (
    select date_day from {{ ref('int_calendar__dates') }}
    where is_scoreboard_date
),

spans as (
    select * from {{ ref('int_hazards__open_spans') }}
)

select
    cast(dates.date_day as date) as as_of,
    spans.hazard_id,
    spans.township_code,
    spans.township_name,
    spans.credit_code,
    spans.enterprise_name,
    spans.sector,
    spans.level,
    spans.is_supervised,
    spans.description,
    spans.found_on,
    spans.deadline,
    cast({{ overdue_before_as_of('spans.deadline', 'dates.date_day') }} as boolean) as is_overdue,
    cast(greatest(0, {{ safetywh.days_between('spans.deadline', 'dates.date_day') }}) as integer) as days_overdue,
    cast({{ safetywh.days_between('spans.found_on', 'dates.date_day') }} as integer) as days_open,
    spans.funds_10k_cny,
    spans.sender_code
from spans
inner join dates
    on spans.found_on <= dates.date_day
    and (spans.rectified_on is null or spans.rectified_on > dates.date_day)
