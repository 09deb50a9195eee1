{#-
    Small formula helpers shared by the KPI and ranking marts (issue "The numbers").
-#}

{#- Round half away from zero, robust to binary floating point: a figure that is exactly
    x.xx5 in decimal arithmetic but stored as x.xx4999... still rounds up. The nudge
    (1e-9) is far below any difference the inputs can produce (scores and percentages are
    ratios of small integers) and far above double rounding noise. -#}
{% macro round_half_up(expr, digits) -%}
    (sign({{ expr }}) * round(abs({{ expr }}) + 1e-9, {{ digits }}))
{%- endmacro %}

{#- Relative change against last year's same period, in %, one decimal; null when the
    base is 0 or either side is null (a percentage on a zero base is never 0 or 100). -#}
{% macro change_pct(value, ly_value) -%}
    (case when ({{ ly_value }}) <> 0
          then {{ round_half_up(safetywh.ratio('100.0 * ((' ~ value ~ ') - (' ~ ly_value ~ '))', ly_value), 1) }}
     end)
{%- endmacro %}

{#- The bureau's wording of a year-on-year change (同比), one rule for every figure:
      equal values (0 and 0 included)        -> 持平
      last year 0, this year not             -> 去年同期无
      otherwise                              -> 上升12.5% / 下降33.3%  (relative change,
                                                one decimal, same number as change_pct;
                                                for a percentage metric this is the
                                                relative change, not percentage points)
      either side unknown (null)             -> null (shown as —)                        -#}
{% macro change_text(value, ly_value) -%}
    (case
        when ({{ value }}) is null or ({{ ly_value }}) is null then null
        when ({{ value }}) = ({{ ly_value }}) then '持平'
        when ({{ ly_value }}) = 0 then '去年同期无'
        when ({{ value }}) > ({{ ly_value }})
            then '上升' || {{ safetywh.fixed_decimals('abs(' ~ change_pct(value, ly_value) ~ ')', 1) }} || '%'
        else '下降' || {{ safetywh.fixed_decimals('abs(' ~ change_pct(value, ly_value) ~ ')', 1) }} || '%'
    end)
{%- endmacro %}

{#- 100 x numerator / denominator, null when the denominator is 0 (kpis.md: never 0 or
    100). Multiplying first keeps exact shares exact in floating point (9/10 -> 90.0). -#}
{% macro pct(numerator, denominator) -%}
    (case when ({{ denominator }}) > 0 then {{ safetywh.ratio('100.0 * (' ~ numerator ~ ')', denominator) }} end)
{%- endmacro %}

{#- A percentage as a reader sees it (the decimals rule of README "Numbers": one decimal,
    half away from zero): 87.5%; null when the figure is null (shown as —). -#}
{% macro pct_text(expr) -%}
    (case when ({{ expr }}) is not null
          then {{ safetywh.fixed_decimals(round_half_up(expr, 1), 1) }} || '%' end)
{%- endmacro %}
