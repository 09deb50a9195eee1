"""The warehouse resource: the one writer connection to the DuckDB file of a home."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb

from pipelines.lib.profile import Profile, load_profile
from warehouse.file_lock import connect_when_free
from warehouse.home import Home
from warehouse.layout import connect


class WarehouseResource(dg.ConfigurableResource):
    """``home`` is read when a step runs, not at import: unset means $SAFETYWH_HOME, then ./warehouse."""

    home: str | None = None

    def resolved_home(self) -> Home:
        return Home.resolve(self.home).ensure()

    def profile(self) -> Profile:
        return load_profile()

    def now(self) -> dt.datetime:
        """Wall clock in the county's zone: every time the warehouse stores is local."""
        return dt.datetime.now(ZoneInfo(self.profile().timezone)).replace(tzinfo=None, microsecond=0)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        # Closed at the end of every step: dbt and the publish step need the file free.
        path = self.resolved_home().duckdb_path
        con = connect_when_free(path, lambda: connect(path))
        try:
            yield con
        finally:
            con.close()
