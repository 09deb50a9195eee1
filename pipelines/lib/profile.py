"""The county profile: townships, aliases, departments, targets and ranking rules.

A profile is a folder (``profile.yaml`` plus the CSV registers it names). The packaged
default is Ningxiang; ``SAFETYWH_PROFILE`` points at another folder.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import yaml

DEFAULT_PROFILE = "ningxiang"


@dataclass(frozen=True)
class Profile:
    folder: Path
    config: dict[str, Any]
    townships: pl.DataFrame
    aliases: pl.DataFrame
    departments: pl.DataFrame

    @property
    def timezone(self) -> str:
        return self.config["county"]["timezone"]

    @property
    def township_codes(self) -> list[str]:
        return self.townships["township_code"].to_list()

    @property
    def sender_codes(self) -> set[str]:
        return set(self.township_codes) | set(self.departments["sender_code"].to_list())

    def sender_name(self, code: str) -> str:
        hit = self.departments.filter(pl.col("sender_code") == code)
        if hit.height:
            return hit["name"][0]
        hit = self.townships.filter(pl.col("township_code") == code)
        return hit["township_name"][0] if hit.height else code

    def sender_email(self, code: str) -> str | None:
        hit = self.departments.filter(pl.col("sender_code") == code)
        if hit.height:
            return hit["alert_email"][0]
        hit = self.townships.filter(pl.col("township_code") == code)
        return hit["alert_email"][0] if hit.height else None

    def workbook_limits(self):
        """Limits a workbook is checked against before it is expanded (zip bombs)."""
        from pipelines.lib.reading import WorkbookLimits

        return WorkbookLimits.from_config(self.config.get("workbook_limits"))

    def township_lookup(self) -> pl.DataFrame:
        """Every spelling of a township found in ledgers -> its code.

        Full name, short name, current code, legacy code (430124xxx -> 430182xxx) and the
        names of townships merged in 2015 (township_aliases.csv).
        """
        t = self.townships
        frames = [
            t.select(pl.col("township_name").alias("key"), "township_code"),
            t.select(pl.col("short_name").alias("key"), "township_code"),
            t.select(pl.col("township_code").alias("key"), "township_code"),
        ]
        for old, new in self.config["county"].get("legacy_code_prefixes", {}).items():
            frames.append(
                t.filter(pl.col("township_code").str.starts_with(new)).select(
                    (pl.lit(old) + pl.col("township_code").str.slice(len(new))).alias("key"), "township_code"
                )
            )
        aliases = self.aliases.select(pl.col("alias").alias("key"), "township_code")
        frames.append(aliases)
        # A merged township is also written without its suffix (枫木桥乡 -> 枫木桥).
        frames.append(
            aliases.filter(pl.col("key").str.contains(r"[乡镇]$")).select(
                pl.col("key").str.replace(r"[乡镇]$", ""), "township_code"
            )
        )
        # a 镇 or 乡 made a 街道 (玉潭镇 -> 玉潭街道) is still written by its old kind
        former_kinds = (
            t.select((pl.col("short_name") + pl.lit(kind)).alias("key"), "township_code") for kind in ("镇", "乡")
        )
        names = pl.concat(frames[:2] + frames[-2:] + list(former_kinds))
        # feeds.md: a name may carry the county before it (宁乡市, 宁乡县, optionally after
        # 湖南省 / 长沙市) and the seat of government after it (玉潭街道办事处, 玉潭镇人民政府).
        frames.append(
            names.join(pl.DataFrame({"prefix": self.county_prefixes()}), how="cross")
            .join(pl.DataFrame({"suffix": list(GOVERNMENT_SUFFIXES)}), how="cross")
            .select((pl.col("prefix") + pl.col("key") + pl.col("suffix")).alias("key"), "township_code")
        )
        return pl.concat(frames).unique(subset="key", keep="first").sort("key")

    def county_prefixes(self) -> list[str]:
        """Every way a ledger names the county before a township: 宁乡市, 宁乡县 (its former
        name), 湖南省宁乡市, 长沙市宁乡市, 湖南省长沙市宁乡市, and none at all."""
        county = self.config["county"]
        names = [county["name"], *county.get("former_names", [])]
        within = county.get("within", [])  # 湖南省, 长沙市: each optional, in this order
        parents = [""]
        for parent in within:
            parents += [p + parent for p in parents]
        return [""] + [p + n for p in parents for n in names]


# The seat of government written after a township's name (feeds.md "Township cells").
GOVERNMENT_SUFFIXES = ("", "人民政府", "政府", "办事处", "街道办事处")


def profile_folder() -> Path:
    override = os.environ.get("SAFETYWH_PROFILE")
    if override:
        folder = Path(override)
        if not (folder / "profile.yaml").is_file():
            # also allow the name of a packaged profile
            folder = Path(str(resources.files("pipelines.profiles").joinpath(override)))
    else:
        folder = Path(str(resources.files("pipelines.profiles").joinpath(DEFAULT_PROFILE)))
    if not (folder / "profile.yaml").is_file():
        raise FileNotFoundError(f"找不到县情配置文件 {folder}/profile.yaml（SAFETYWH_PROFILE={override!r}）")
    return folder


def _read_csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False, encoding="utf8")


class ProfileInvalid(ValueError):
    """The profile breaks its schema (pipelines/lib/profile_schema.py): every problem, in Chinese."""

    def __init__(self, folder: Path, problems: list[str], unreadable: bool = False):
        self.folder, self.problems = folder, problems
        lines = "\n".join(f"  {i}. {p}" for i, p in enumerate(problems, start=1))
        head = "县情配置无法读取" if unreadable else f"县情配置有 {len(problems)} 处问题"
        super().__init__(f"{head}（{folder / 'profile.yaml'}），本次未运行：\n{lines}")


@functools.cache
def _load(folder: Path) -> Profile:
    from pipelines.lib.profile_schema import validate_config

    try:
        config = yaml.safe_load((folder / "profile.yaml").read_text("utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise ProfileInvalid(folder, [f"profile.yaml 不是有效的 YAML（{where}）"], unreadable=True) from exc
    problems = validate_config(config, folder)
    if problems:
        raise ProfileInvalid(folder, problems)
    townships = _read_csv(folder / config["townships_file"]).with_columns(
        pl.col("forest_area_ha").cast(pl.Float64), pl.col("population").cast(pl.Int64)
    )
    return Profile(
        folder=folder,
        config=config,
        townships=townships,
        aliases=_read_csv(folder / config["township_aliases_file"]),
        departments=_read_csv(folder / config["departments_file"]),
    )


def load_profile() -> Profile:
    return _load(profile_folder())
