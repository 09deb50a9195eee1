{#-
    Who must send what on a schedule: one row per sender and scheduled feed (weekly,
    register, relief cadences; event feeds are judged per record, see
    int_data_quality__event_reports).

    Decisions:
    - Departments: the feeds listed for them in departments.csv (ref.senders.feeds).
    - Townships: the profile's deadlines.township_feeds (default hazards: feeds.md says every
      township sends its hazards ledger weekly).
    - Drills: expected weekly only from a sender that lists drills in departments.csv (the
      fire brigade, XFJY). Townships, the bureau and other teams send drills records when
      they hold one, so a week without a drill is not a missed deadline; their drills files
      still count in the data-quality mart (files and rows received).
-#}
with senders as (
    select sender_code, sender_kind, feeds
    from {{ ref('stg_profile__senders') }}
),

settings as (
    select township_feeds from {{ ref('int_data_quality__settings') }}
),

feeds as (
    select feed, cadence from {{ ref('int_data_quality__feeds') }}
),

listed as (
    select senders.sender_code, trim(listed_feeds.feed) as feed
    from senders
    cross join unnest({{ safetywh.split_to_list('senders.feeds', "';'") }}) as listed_feeds (feed)
    where senders.sender_kind = 'department' and senders.feeds is not null
    union
    select senders.sender_code, township_feeds.feed
    from senders
    cross join settings
    cross join unnest(settings.township_feeds) as township_feeds (feed)
    where senders.sender_kind = 'township'
)

select distinct
    listed.sender_code,
    listed.feed,
    feeds.cadence
from listed
inner join feeds on feeds.feed = listed.feed
where feeds.cadence in ('weekly', 'register', 'relief')
