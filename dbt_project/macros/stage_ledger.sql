{#-
    The latest version of every record of a ledger feed, with the contract's canonical
    columns typed, the township as its code, and personal data left out.

    Columns and their meta come from the generated source definition
    (models/staging/_ledgers__sources.yml, written from the feed contracts), so the
    contract stays the only list of a feed's columns. A later received version supersedes
    an earlier one: order by received time, then path, then row (feeds.md).
-#}
{% macro stage_ledger(feed) -%}
{%- set relation = source('ledgers', feed) -%}
{%- set node = graph.sources.get('source.safetywh.ledgers.' ~ feed) if execute else none -%}
with versions as (
    select * from {{ relation }}
),

counted as (
    select
        *,
        count(*) over (partition by {{ adapter.quote(node.meta.record_id) if node else '_file_id' }}) as version_count
    from versions
),

latest as (
    {{ safetywh.latest_rows(
        'counted',
        adapter.quote(node.meta.record_id) if node else '_file_id',
        '_received_at desc, _source_path desc, _row_number desc'
    ) }}
)

select
{%- if node %}
{%- for column in node.columns.values() if not column.meta.get('personal') and not column.name.startswith('_') %}
    {% if column.meta.get('contract_type') == 'township' -%}
    {{ adapter.quote(column.name) }} as township_code,
    {%- else -%}
    {{ adapter.quote(column.name) }},
    {%- endif %}
{%- endfor %}
{%- endif %}
    version_count,
    _file_id as file_id,
    _row_number as source_row_number,
    _sender_code as sender_code,
    _source_path as source_path,
    _received_at as received_at
from latest
{%- endmacro %}
