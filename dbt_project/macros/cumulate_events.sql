{#-
    Dated events (+1 when something starts, -1 when it ends, or any amount) cumulated over
    the date spine: the running totals behind every "as of D" count (open on D, overdue on
    D, found in D's year to date ...), set-based and linear - events are summed per day and
    key, then cumulated with window functions, with no date x record join.

    events: a relation (CTE) with the columns `keys`, measure, event_on, year_key, amount.
      - year_key set: a year-to-date measure; it restarts every 1 January and counts an
        event only in its own year (year(event_on) = year_key), e.g. a deadline of
        31 December is never "due" in the next year.
      - year_key null: an all-time measure, from the first day of the calendar; an event
        before it counts from that day (greatest(event_on, calc_start)).
      A span "open on D <=> start <= D < end" is +1 at start and -1 at end.
    dates: the spine (date_day, year, and `date_columns` passed through).
    key_rows: a relation listing every key combination to report (a key without events
      has zeros); keys: its columns, matched null-safely. No keys: one row per date.
    calendar: a relation whose calc_start is the spine's first day.

    Returns a select: date_day, the date_columns, the keys, one running total per measure
    (unit test cumulate_events_spans_and_years in intermediate/_intermediate__models.yml).
-#}
{% macro cumulate_events(events, ytd_measures, all_time_measures, keys=[], key_rows=none,
                         dates='dates', calendar='calendar', date_columns=[]) -%}
    select
        {{ dates }}.date_day,
    {%- for column in date_columns %}
        {{ dates }}.{{ column }},
    {%- endfor %}
    {%- for key in keys %}
        {{ key_rows }}.{{ key }},
    {%- endfor %}
    {%- for measure in ytd_measures %}
        sum(coalesce(daily.{{ measure }}, 0)) over (
            partition by {% for key in keys %}{{ key_rows }}.{{ key }}, {% endfor %}{{ dates }}.year
            order by {{ dates }}.date_day
        ) as {{ measure }}{{ ',' if not loop.last or all_time_measures }}
    {%- endfor %}
    {%- for measure in all_time_measures %}
        sum(coalesce(daily.{{ measure }}, 0)) over (
            {% if keys %}partition by {% for key in keys %}{{ key_rows }}.{{ key }}{{ ', ' if not loop.last }}{% endfor %} {% endif -%}
            order by {{ dates }}.date_day
        ) as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ dates }}
    {%- if keys %}
    cross join {{ key_rows }}
    {%- endif %}
    left join (
        select
        {%- for key in keys %}
            events.{{ key }},
        {%- endfor %}
            case when events.year_key is null then greatest(events.event_on, {{ calendar }}.calc_start)
                 else events.event_on end as date_day,
        {%- for measure in ytd_measures + all_time_measures %}
            sum(events.amount) filter (where events.measure = '{{ measure }}') as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
        from {{ events }} as events
        cross join {{ calendar }}
        where events.event_on is not null
          and (events.year_key is null or year(events.event_on) = events.year_key)
        group by
        {%- for key in keys %}
            events.{{ key }},
        {%- endfor %}
            case when events.year_key is null then greatest(events.event_on, {{ calendar }}.calc_start)
                 else events.event_on end
    ) as daily
        on daily.date_day = {{ dates }}.date_day
    {%- for key in keys %}
        and daily.{{ key }} is not distinct from {{ key_rows }}.{{ key }}
    {%- endfor %}
{%- endmacro %}
