{#- Layers live in schemas named exactly staging / intermediate / marts, not <target>_<name>,
    so the dashboards and bulletins can name them without knowing the dbt target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
