"""The dashboards' query layer: every figure a page shows comes from a function here.

Each public function takes the logged-in Viewer first and checks it before any SQL runs
(leader-only county views, own-township-only detail for a township login), so access is
enforced where the data is read, whatever the pages show or hide. Aggregation happens in
DuckDB; functions return polars frames with English column names (pages rename them).

Sources: the marts (schema ``marts``) for every published figure; where no mart holds a
breakdown a page needs (e.g. rectification rates by sender), the staging views (latest
version of each record, personal data already dropped) and the graded intermediate
tables. ``raw`` (which holds personal data) is never read.
"""

from dashboards.auth import AccessDenied, Viewer
from dashboards.data.source import NoData

__all__ = ["AccessDenied", "NoData", "Viewer"]
