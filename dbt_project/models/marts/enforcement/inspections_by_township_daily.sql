{#-
    Enforcement inspections by township, for every date of the calendar: ONE row per as_of
    x township (all townships of the profile every date).

    Year to date (1 January of as_of's year through as_of), as kpis.md:
    - inspections, inspections_ly: township_kpis_daily's (same figures as that table);
    - quota: the ranking's quota for the YTD, days x inspections_per_7_days / 7 (profile;
      default 2 per 7 days), shown as the whole number of inspections that earns the full
      score (ceiling, kpis.md: 105 次, never 104.29 次); quota_pct = 100 x inspections /
      that whole quota, 1 decimal (>= 100 exactly when the enforcement score is full),
      null when the quota is 0;
    - hazards_found, penalties (警告, 罚款, 停产整顿, 关闭取缔: macro penalty_actions),
      fines_10k_cny.
    Month to date (1st of as_of's month through as_of), for the per-month table of a
    township: inspections_mtd, hazards_found_mtd, penalties_mtd, fines_10k_cny_mtd; a
    month's figures are the row of its last day (or of as_of while the month runs).
    Set-based: per-day sums cumulated with windows partitioned by year and by month.
-#}
{%- set measures = ['inspections', 'hazards_found', 'penalties', 'fines_10k_cny'] -%}

with dates as (
    select date_day, year, year_start, is_scoreboard_date from {{ ref('int_calendar__dates') }}
),

townships as (
    select township_code from {{ ref('stg_profile__townships') }}
),

parameters as (
    select inspections_per_7_days from {{ ref('int_profile__parameters') }}
),

kpis as (
    select as_of, township_code, township_name, inspections, inspections_ly
    from {{ ref('township_kpis_daily') }}
),

daily as (
    select
        township_code,
        inspected_on as date_day,
        count(*) as inspections,
        sum(coalesce(hazards_found, 0)) as hazards_found,
        count(*) filter (where action in {{ penalty_actions() }}) as penalties,
        sum(coalesce(fine_10k_cny, 0)) as fines_10k_cny
    from {{ ref('stg_ledgers__inspections') }}
    where inspected_on is not null
    group by township_code, inspected_on
),

cumulative as (
    select
        dates.date_day,
        dates.year_start,
        dates.is_scoreboard_date,
        townships.township_code,
{%- for measure in measures %}
        sum(coalesce(daily.{{ measure }}, 0)) over ytd as {{ measure }}_ytd,
        sum(coalesce(daily.{{ measure }}, 0)) over mtd as {{ measure }}_mtd{{ ',' if not loop.last }}
{%- endfor %}
    from dates
    cross join townships
    left join daily on daily.township_code = townships.township_code and daily.date_day = dates.date_day
    window
        ytd as (partition by townships.township_code, dates.year order by dates.date_day),
        mtd as (partition by townships.township_code, date_trunc('month', dates.date_day) order by dates.date_day)
),

quotas as (
    select
        cumulative.*,
        (date_diff('day', cumulative.year_start, cumulative.date_day) + 1)
            * parameters.inspections_per_7_days / 7 as quota_raw
    from cumulative
    cross join parameters
    where cumulative.is_scoreboard_date
)

select
    cast(kpis.as_of as date) as as_of,
    cast(kpis.township_code as varchar) as township_code,
    cast(kpis.township_name as varchar) as township_name,
    cast(kpis.inspections as bigint) as inspections,
    cast(kpis.inspections_ly as bigint) as inspections_ly,
    {{ whole_quota('quotas.quota_raw') }} as quota,
    cast(round({{ safetywh.ratio('100.0 * kpis.inspections', 'nullif(' ~ whole_quota('quotas.quota_raw') ~ ', 0)') }}, 1) as double) as quota_pct,
    cast(quotas.hazards_found_ytd as bigint) as hazards_found,
    cast(quotas.penalties_ytd as bigint) as penalties,
    cast(round(quotas.fines_10k_cny_ytd, 6) as double) as fines_10k_cny,
    cast(quotas.inspections_mtd as bigint) as inspections_mtd,
    cast(quotas.hazards_found_mtd as bigint) as hazards_found_mtd,
    cast(quotas.penalties_mtd as bigint) as penalties_mtd,
    cast(round(quotas.fines_10k_cny_mtd, 6) as double) as fines_10k_cny_mtd
from kpis
inner join quotas on quotas.date_day = kpis.as_of and quotas.township_code = kpis.township_code
