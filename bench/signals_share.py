"""What the early-warning models (dbt_project/models/{intermediate,marts}/signals) cost in a
cold run: issue 16's target is under 10 % of the cold run's wall time at scale 100.

Read from the run's own log (`<home>/logs/last-run.log`, dbt's node lines "OK created ...
model <schema>.<name> ... in 1.23s"), so the measured run pays nothing for it (no
run_results.json). The signals models are the manifest's models under a `signals` folder.
dbt runs two threads: the sum of the signals models' times is what they would add run one
after the other, an upper bound of what they add to the wall time.

`python -m bench.signals_share --home DIR [--wall SECONDS]` alone, on a home whose last run
was cold.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "dbt_project" / "target" / "manifest.json"
NODE_LINE = re.compile(r"OK created sql \w+ model (\w+)\.(\w+) .*? in (\d+(?:\.\d+)?)s\]")


def signals_models(manifest: Path = MANIFEST) -> set[str]:
    nodes = json.loads(manifest.read_text("utf-8"))["nodes"].values()
    return {n["name"] for n in nodes if n.get("resource_type") == "model" and "signals" in n["fqn"][1:-1]}


def model_seconds(log: Path) -> dict[str, float]:
    """Seconds per model built in the run whose dbt output the log holds."""
    out: dict[str, float] = {}
    for line in log.read_text("utf-8", errors="replace").splitlines():
        m = NODE_LINE.search(re.sub(r"\x1b\[[0-9;]*m", "", line))
        if m:
            out[m.group(2)] = float(m.group(3))
    return out


def share(home: Path, wall_s: float | None = None, manifest: Path = MANIFEST) -> dict:
    seconds = model_seconds(home / "logs" / "last-run.log")
    mine = signals_models(manifest)
    signals = {name: s for name, s in seconds.items() if name in mine}
    out = {
        "models": len(seconds),
        "models_s": round(sum(seconds.values()), 2),
        "signals_models": len(signals),
        "signals_s": round(sum(signals.values()), 2),
        "slowest": sorted(signals.items(), key=lambda kv: -kv[1])[:3],
    }
    if wall_s:
        out["share_of_cold"] = round(out["signals_s"] / wall_s, 4)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.signals_share", description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--wall", type=float, help="the cold run's wall seconds (for the share)")
    args = parser.parse_args(argv)
    print(json.dumps(share(args.home, args.wall), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
