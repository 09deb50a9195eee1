{#- The enforcement actions that count as an administrative penalty (kpis.md "penalties":
    《安全生产违法行为行政处罚办法》 art. 5 — 警告, 罚款, 停产整顿, 关闭取缔), as a SQL list for
    `action in {{ penalty_actions() }}`. 移送司法 is not one: a transfer to the judiciary
    (行刑衔接) is counted apart, by judicial_transfer_actions(). -#}
{% macro penalty_actions() -%}
    ('警告', '罚款', '停产整顿', '关闭取缔')
{%- endmacro %}

{#- The action of a transfer to the judiciary (kpis.md "judicial_transfers", 行刑衔接). -#}
{% macro judicial_transfer_actions() -%}
    ('移送司法')
{%- endmacro %}

{#- The whole number of inspections that earns the full enforcement score for a quota
    (kpis.md: a quota is shown as a whole number, the ceiling). The quota is a ratio of
    small numbers (days x per-7-days / 7); rounding to 9 decimals first keeps float noise
    (4.000000000001) from adding an inspection. -#}
{% macro whole_quota(expr) -%}
    cast(ceil(round({{ expr }}, 9)) as integer)
{%- endmacro %}

{#- The control line of a count (kpis.md: "down 20%" on 29 deaths means at most 23): the
    largest whole number within ratio x last year's count (floor), 0 when last year had 0.
    The same float guard: 0.8 x 30 = 24.000000000000004 must stay 24, and 0.7 x 10 =
    6.999999999999999 must be 7. -#}
{% macro count_control_line(ratio, ly_value) -%}
    floor(round(({{ ratio }}) * ({{ ly_value }}), 9))
{%- endmacro %}
