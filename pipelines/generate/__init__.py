"""Demo data: a landing folder of a simulated county's feeds, as its senders really produce them.

    generate(out, seed=7, start=date(2022, 1, 1), end=date(2023, 12, 31), scale=1.0, defect_rate=0.02)

fills `out/<feed>/<sender_code>/<file>` with xlsx and CSV files (title rows, 合计 rows, GBK, every
date spelling of feeds.md, mtimes at the realistic receive time), and writes the ground truth of
what was broken on purpose to `out/_generator/defects.csv` with `out/_generator/summary.json`.

Modules: world (the county's facts and registers), hazards / activity / events / relief /
registers (what each sender sends, as Drops), landing (formats, defects and mtimes of real files),
cells (spelling of values), writers (xlsx and CSV layout), defects (what is broken and the manifest).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from pipelines.lib.contracts import load_contracts
from pipelines.lib.profile import load_profile

from .activity import drill_drops, inspection_drops
from .events import accident_drops, flood_transfer_drops, forest_fire_drops
from .hazards import hazard_drops
from .landing import Drop, Landing
from .plants import write_ground_truth
from .registers import depot_drops, enterprise_drops, plan_drops, rescue_team_drops
from .relief import relief_drops
from .world import County

__all__ = ["generate", "GenerateSummary", "GENERATOR_DIR"]

GENERATOR_DIR = "_generator"  # the pipeline ignores top-level entries starting with _ or .

# Registers first: the activity feeds refer to their enterprises and teams.
SIMULATORS: dict[str, Callable[[County, str], Iterator[Drop]]] = {
    "enterprises": enterprise_drops,
    "rescue_teams": rescue_team_drops,
    "reserve_depots": depot_drops,
    "plans": plan_drops,
    "hazards": hazard_drops,
    "inspections": inspection_drops,
    "drills": drill_drops,
    "accidents": accident_drops,
    "forest_fires": forest_fire_drops,
    "flood_transfers": flood_transfer_drops,
    "relief": relief_drops,
}


@dataclass
class GenerateSummary:
    out: Path
    files: dict[str, int]  # files written per feed (defective files and duplicates included)
    rows: dict[str, int]  # data rows written per feed (title, blank and 合计 rows not counted)
    defects: dict[str, int]  # defects injected per rule / file reason
    manifest: Path  # out/_generator/defects.csv
    summary_json: Path  # out/_generator/summary.json
    resubmissions: int  # legitimate corrected files, sent later
    seconds: float = 0.0
    scripted: dict[str, str] = field(default_factory=dict)

    @property
    def total_files(self) -> int:
        return sum(self.files.values())

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        """What `safetywh generate` prints: per feed by its Chinese name, then the totals."""
        from pipelines.lib.labels import feed_label

        width = max(len(feed_label(feed)) for feed in self.files) if self.files else 0
        lines = [
            f"  {feed_label(feed):\u3000<{width}}  {self.files[feed]:>6} 个文件  {self.rows.get(feed, 0):>8} 行"
            for feed in self.files
        ]
        lines.append(
            f"合计 {self.total_files} 个文件、{self.total_rows} 行数据（其中 {self.resubmissions} 份为更正后重报）；"
            f"故意制造的错误 {sum(self.defects.values())} 处，清单见 {self.manifest}；用时 {self.seconds:.1f} 秒。"
        )
        return "各类数据：\n" + "\n".join(lines)


def generate(
    out: Path,
    *,
    seed: int = 7,
    start: date = date(2022, 1, 1),
    end: date = date(2023, 12, 31),
    scale: float = 1.0,
    defect_rate: float = 0.02,
    progress: Callable[[str], None] | None = None,
) -> GenerateSummary:
    """Fill the landing folder `out` with a simulated county's feeds; see the module docstring."""
    began = time.perf_counter()
    out = Path(out)
    profile = load_profile()
    county_today = datetime.now(tz=County.zone(profile)).date()
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if end >= county_today:
        raise ValueError(f"end {end} must be before today ({county_today}): files cannot be received in the future")
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    if not 0 <= defect_rate < 1:
        raise ValueError(f"defect_rate must be in [0, 1), got {defect_rate}")
    contracts = load_contracts()
    missing = set(contracts) - set(SIMULATORS)
    if missing:
        raise ValueError(f"no simulator for feed(s) {sorted(missing)}: extend pipelines/generate")
    _prepare(out, contracts)

    county = County(profile, seed, scale, start, end)
    landing = Landing(out, county, contracts, seed, defect_rate)
    try:
        for feed, simulate in SIMULATORS.items():
            for n, drop in enumerate(simulate(county, contracts[feed].label), start=1):
                landing.emit(drop)
                if progress and n % 1000 == 0:
                    progress(f"{contracts[feed].label}：已生成 {landing.files[feed]} 个文件")
            if progress:
                progress(f"{contracts[feed].label}：{landing.files[feed]} 个文件，{landing.rows[feed]} 行")
    finally:
        landing.close()

    summary_json = out / GENERATOR_DIR / "summary.json"
    write_ground_truth(county, out / GENERATOR_DIR)
    result = GenerateSummary(
        out=out,
        files=dict(landing.files),
        rows=dict(landing.rows),
        defects=dict(sorted(landing.manifest.counts.items())),
        manifest=landing.manifest.path,
        summary_json=summary_json,
        resubmissions=len(landing.resubmissions),
        seconds=round(time.perf_counter() - began, 2),
        scripted=dict(county.scripted),
    )
    summary_json.write_text(
        json.dumps(
            {
                "seed": seed,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "scale": scale,
                "defect_rate": defect_rate,
                "files": result.files,
                "rows": result.rows,
                "row_kinds": dict(landing.row_kinds),
                "defects": result.defects,
                "latest_received": datetime.fromtimestamp(landing.latest, county.tz).isoformat()
                if landing.latest
                else None,
                "scripted": result.scripted,
                "planted_signals": [
                    {
                        "township_code": p.township,
                        "signal": p.signal,
                        "behaviour_from": p.start.isoformat(),
                        "expected_from_as_of": p.expected_from.isoformat(),
                    }
                    for p in county.plants.values()
                ],
                "resubmissions": landing.resubmissions,
                "resent_after_rejection": landing.resent,
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    if progress:
        progress(
            f"共 {result.total_files} 个文件、{result.total_rows} 行、{sum(result.defects.values())} 处错误，"
            f"用时 {time.perf_counter() - began:.1f} 秒 -> {out}"
        )
    return result


def _prepare(out: Path, contracts: dict) -> None:
    """Start from an empty tree. A previous generation (it has _generator/) is replaced; a folder
    holding anything else is refused rather than mixed with or deleted."""
    if out.exists() and any(out.iterdir()):
        if not (out / GENERATOR_DIR).is_dir():
            raise FileExistsError(f"{out} is not empty and was not made by the generator; choose an empty folder")
        for entry in out.iterdir():
            if entry.name == GENERATOR_DIR or entry.name in contracts:
                shutil.rmtree(entry)
    out.mkdir(parents=True, exist_ok=True)
