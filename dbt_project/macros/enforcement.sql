{#- The enforcement actions that count as an administrative penalty (kpis.md "penalties"),
    as a SQL list for `action in {{ penalty_actions() }}`. -#}
{% macro penalty_actions() -%}
    ('罚款', '停产整顿', '关闭取缔', '移送司法')
{%- endmacro %}
