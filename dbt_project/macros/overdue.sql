{#-
    The two rules of "overdue", different on purpose (README "Rules", Overdue: two rules):

    overdue_at_period_end   ranking.md, S_haz of township t in period P: a hazard counts
                            when deadline <= end(P) and it is not rectified by end(P). A
                            hazard due ON the last day of P and still open that day counts
                            against P (the period is judged at its end).
    overdue_before_as_of    kpis.md major_hazards_overdue, the 挂牌督办 list, the risk
                            indicators: deadline < D and not rectified by D. A hazard due on
                            D itself is not yet overdue on D; it is from D + 1
                            (overdue_before_as_of_from, for the models that count day events).

    rectified_on is optional: a caller that already holds only open hazards leaves it out.
-#}
{% macro overdue_at_period_end(deadline, period_end, rectified_on=none) -%}
    ({{ deadline }} <= {{ period_end }}
    {%- if rectified_on %} and ({{ rectified_on }} is null or {{ rectified_on }} > {{ period_end }}){% endif %})
{%- endmacro %}

{% macro overdue_before_as_of(deadline, as_of, rectified_on=none) -%}
    ({{ deadline }} < {{ as_of }}
    {%- if rectified_on %} and ({{ rectified_on }} is null or {{ rectified_on }} > {{ as_of }}){% endif %})
{%- endmacro %}

{#- The first date D on which overdue_before_as_of holds for an open hazard: deadline + 1. -#}
{% macro overdue_before_as_of_from(deadline) -%}
    {{ safetywh.add_days(deadline, 1) }}
{%- endmacro %}
