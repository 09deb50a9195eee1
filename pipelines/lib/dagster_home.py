"""The home's Dagster instance: <home>/dagster, configured by the repository's dagster.yaml.

`safetywh run` and `safetywh serve` use the same instance, so the runs the CLI makes and
the runs the sensor asks for share one history (pipelines/lib/run_inputs.py reads it).
"""

from __future__ import annotations

import os

from pipelines.paths import REPO_ROOT
from warehouse.home import Home

TEMPLATE = REPO_ROOT / "dagster.yaml"


def ensure_instance(home: Home) -> str:
    """Write <home>/dagster/dagster.yaml when missing or different, point DAGSTER_HOME at it
    (for this process and its children) and return the folder."""
    folder = home.dagster_home
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "dagster.yaml"
    wanted = TEMPLATE.read_text("utf-8")
    if not target.is_file() or target.read_text("utf-8") != wanted:
        tmp = target.with_name(f".dagster.yaml.{os.getpid()}")
        tmp.write_text(wanted, "utf-8")
        os.replace(tmp, target)
    os.environ["DAGSTER_HOME"] = str(folder)
    return str(folder)
