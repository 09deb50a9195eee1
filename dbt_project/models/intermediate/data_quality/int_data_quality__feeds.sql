{#-
    Every ledger feed with its Chinese label, record id and reporting cadence, read from
    the feed contracts (the generated source meta of models/staging/ledgers), so the
    contracts stay the one place a feed's cadence is declared.
    The graph is only filled at execution; parsing sees the empty fallback.
-#}
{%- set feeds = [] -%}
{%- if execute -%}
    {%- for node in graph.sources.values() if node.source_name == 'ledgers' and node.meta.get('cadence') -%}
        {%- do feeds.append(node) -%}
    {%- endfor -%}
{%- endif -%}
{%- for node in feeds | sort(attribute='name') %}
select
    '{{ node.name }}' as feed,
    '{{ node.meta.label }}' as feed_label,
    '{{ node.meta.cadence }}' as cadence,
    '{{ node.meta.record_id }}' as record_id_column,
    {{ "'" ~ node.meta.event_time ~ "'" if node.meta.get('event_time') else 'cast(null as varchar)' }} as event_time_column,
    {#- a township record id (the depot register's) is loaded as its code but quarantined as written -#}
    {{ 'true' if node.columns.get(node.meta.record_id, {}).get('meta', {}).get('contract_type') == 'township' else 'false' }} as record_id_is_township
{{ 'union all' if not loop.last }}
{%- else %}
select
    cast(null as varchar) as feed,
    cast(null as varchar) as feed_label,
    cast(null as varchar) as cadence,
    cast(null as varchar) as record_id_column,
    cast(null as varchar) as event_time_column,
    cast(null as boolean) as record_id_is_township
where false
{%- endfor %}
