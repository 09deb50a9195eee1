"""A snapshot of the asset graph: every asset key with its group, its parents, its checks
and its automation condition, plus the jobs, schedules and sensors. Any change to the graph
shows in review as a diff of tests/snapshots/asset_graph.json.

After an intended change: ``SAFETYWH_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_asset_graph_snapshot.py``
and commit the new file with the change.
"""

import json
import os
from pathlib import Path

from pipelines.lib.dbt_manifest import ensure_manifest

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def graph_snapshot() -> dict:
    ensure_manifest()
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    checks: dict[str, list[str]] = {}
    for check in graph.asset_check_keys:
        checks.setdefault(check.asset_key.to_user_string(), []).append(check.name)
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        condition = node.automation_condition
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "parents": sorted(p.to_user_string() for p in node.parent_keys),
            "checks": sorted(checks.get(key.to_user_string(), [])),
            "automation": condition.get_label() or type(condition).__name__ if condition else None,
            "partitioned": node.partitions_def is not None,
        }
    return {
        "assets": assets,
        "jobs": sorted(job.name for job in defs.resolve_all_job_defs() if not job.name.startswith("__")),
        "schedules": sorted(
            [s.name, s.cron_schedule if isinstance(s.cron_schedule, str) else list(s.cron_schedule), s.job_name]
            for s in (defs.schedules or [])
        ),
        "sensors": sorted(s.name for s in (defs.sensors or [])),
    }


def differences(current: dict, expected: dict) -> list[str]:
    """What changed between two snapshots, one line per asset or list."""
    lines = [f"+ {k}" for k in sorted(set(current["assets"]) - set(expected["assets"]))]
    lines += [f"- {k}" for k in sorted(set(expected["assets"]) - set(current["assets"]))]
    lines += [
        f"~ {k}: {expected['assets'][k]} -> {current['assets'][k]}"
        for k in sorted(set(current["assets"]) & set(expected["assets"]))
        if current["assets"][k] != expected["assets"][k]
    ]
    lines += [f"~ {part}" for part in ("jobs", "schedules", "sensors") if current[part] != expected[part]]
    return lines


def test_the_asset_graph_matches_its_snapshot():
    current = json.loads(json.dumps(graph_snapshot(), ensure_ascii=False))
    if os.environ.get("SAFETYWH_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(current, ensure_ascii=False, indent=1) + "\n", "utf-8")
    expected = json.loads(SNAPSHOT.read_text("utf-8"))
    assert differences(current, expected) == [], "asset graph changed: update the snapshot (module doc)"


def test_a_changed_graph_is_reported():
    expected = json.loads(SNAPSHOT.read_text("utf-8"))
    current = json.loads(json.dumps(expected))
    current["assets"]["extra/asset"] = {
        "group": "x",
        "parents": [],
        "checks": [],
        "automation": None,
        "partitioned": False,
    }
    first = next(iter(current["assets"]))
    current["assets"][first]["checks"] = [*current["assets"][first]["checks"], "new_check"]
    current["sensors"] = [*current["sensors"], "new_sensor"]
    assert differences(current, expected)[0] == "+ extra/asset"
    assert any(line.startswith(f"~ {first}:") for line in differences(current, expected))
    assert differences(current, expected)[-1] == "~ sensors"
