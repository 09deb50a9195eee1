"""The dashboards' query layer: every figure a page shows comes from a function here.

Each public function takes the logged-in Viewer first and checks it before any SQL runs
(leader-only county views, own-township-only detail for a township login), so access is
enforced where the data is read, whatever the pages show or hide. Aggregation happens in
DuckDB; functions return polars frames with English column names (pages rename them).

Sources: the reporting marts (schema ``marts``) only, one per breakdown a page shows (e.g.
rectification rates by sender: marts.hazard_rectification_by_sender_daily); queries select
a date's rows, filter and order, and at most group records of a record-grain mart (files,
quarantined cells). ``staging``, ``intermediate`` and ``raw`` (which holds personal data)
are never read.
"""

from dashboards.auth import AccessDenied, Viewer
from dashboards.data.source import NoData

__all__ = ["AccessDenied", "NoData", "Viewer"]
