"""Where a warehouse home's parts live. One place, so the CLI, Dagster and dbt agree.

The home is ``--home``, else ``$SAFETYWH_HOME``, else ``./warehouse``. The DuckDB file the
pipeline writes is ``$SAFETYWH_DUCKDB`` when set (the same variable the dbt profile
reads), else ``<home>/warehouse.duckdb``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike | None = None) -> Home:
        chosen = home or os.environ.get("SAFETYWH_HOME") or "warehouse"
        return cls(Path(chosen).expanduser().resolve())

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def duckdb_path(self) -> Path:
        override = os.environ.get("SAFETYWH_DUCKDB")
        return Path(override).resolve() if override else self.root / "warehouse.duckdb"

    @property
    def published_path(self) -> Path:
        """Read-only copy for dashboards, swapped atomically after each successful run."""
        return self.root / "published" / "warehouse.duckdb"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def publications(self) -> Path:
        return self.root / "publications"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def dagster_home(self) -> Path:
        """The Dagster instance (DAGSTER_HOME) that `safetywh run` and `safetywh serve` share."""
        return self.root / "dagster"

    @property
    def lock_path(self) -> Path:
        return self.root / ".writer.lock"

    def ensure(self) -> Home:
        self.landing.mkdir(parents=True, exist_ok=True)
        self.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        return self

    def export_env(self) -> None:
        """Make the dbt profile (env_var SAFETYWH_DUCKDB) and child processes see this home."""
        os.environ["SAFETYWH_HOME"] = str(self.root)
        os.environ["SAFETYWH_DUCKDB"] = str(self.duckdb_path)
