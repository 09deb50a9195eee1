{#-
    The latest version of every record of a ledger feed, with the contract's canonical
    columns typed, the township as its code, and personal data left out.

    Columns and their meta come from the generated source definition
    (models/staging/_ledgers__sources.yml, written from the feed contracts), so the
    contract stays the only list of a feed's columns. A later received version supersedes
    an earlier one: order by received time, then path, then row (feeds.md).

    Incremental (the generated model's config: delete+insert by the record id): a run
    recomputes only the records that have a version in a file loaded since the table was
    built, from every version of them. Raw tables are append-only and file ids come from
    one sequence (meta.file_id_seq), so any new version has a larger file id than every
    row the table holds. A new weekly file rewrites its records, not the 600,000 of a
    province (3.7 s at --scale 100, docs/scaling.md); a build after a change of the
    dbt project (state:modified+, pipelines/lib/dbt_manifest.select_build) runs with --full-refresh.
-#}
{% macro stage_ledger(feed) -%}
{%- set relation = source('ledgers', feed) -%}
{%- set node = graph.sources.get('source.safetywh.ledgers.' ~ feed) if execute else none -%}
{%- set record_id = adapter.quote(node.meta.record_id) if node else '_file_id' -%}
{#- `dbt compile --no-introspect` (the second-adapter check, no server) may not ask whether
    the table exists: it gets the first build's SQL -#}
{%- set incremental = is_incremental() if flags.INTROSPECT is not false else false -%}
with versions as (
    select * from {{ relation }}
    {%- if incremental %}
    where {{ record_id }} in (
        select {{ record_id }} from {{ relation }}
        where _file_id > (select coalesce(max(file_id), -1) from {{ this }})
    )
    {%- endif %}
),

counted as (
    select
        *,
        count(*) over (partition by {{ record_id }}) as version_count
    from versions
),

latest as (
    {{ safetywh.latest_rows(
        'counted',
        record_id,
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
