"""Publication settings of a county: from the profile's optional `publications` section,
with defaults derived from the county, so a county changes wording and fonts in
configuration, not in code.

    publications:
      doc_codes: {week: 宁应急周, month: 宁应急月, quarter: 宁应急季}   # 发文机关代字
      recipients: 各乡镇人民政府、街道办事处，市直有关单位               # 主送机关
      cc: 市安委会各成员单位                                           # 抄送机关
      printer: 宁乡市应急管理局办公室                                  # 印发机关
      fonts: {title: ..., body: ..., heading: ..., kai: ...}          # see fonts.py
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.lib.bulletin.fonts import Fonts
from pipelines.lib.labels import mart_column_label
from pipelines.lib.profile import Profile

KIND_CN = {"week": "周通报", "month": "月排名", "quarter": "季考核"}
COMPONENTS = tuple(  # (mart column, profile weight key, its Chinese name: the ranking mart's meta.label)
    (key, weight, mart_column_label("township_rankings", key))
    for key, weight in (
        ("s_acc", "accidents"),
        ("s_haz", "hazards"),
        ("s_enf", "enforcement"),
        ("s_prep", "preparedness"),
        ("s_rep", "reporting"),
    )
)


@dataclass(frozen=True)
class PublicationSettings:
    county: str
    bureau: str
    doc_codes: dict[str, str]
    recipients: str
    cc: str
    printer: str
    leadership: list[str]
    weights: dict[str, float]
    bands: list[dict]
    fonts: Fonts = field(default_factory=Fonts)

    @classmethod
    def from_profile(cls, profile: Profile) -> PublicationSettings:
        config = profile.config
        county = config["county"]["name"]
        bureau = config["county"].get("bureau") or f"{county}应急管理局"
        pub = config.get("publications") or {}
        # 宁乡市 -> 宁应急: the customer's own numbers read 宁应急发〔2023〕7号.
        prefix = f"{county[0]}应急"
        codes = {"week": f"{prefix}周", "month": f"{prefix}月", "quarter": f"{prefix}季"}
        codes.update(pub.get("doc_codes") or {})
        town_word = "市" if county.endswith("市") else "县"
        ranking = config.get("ranking") or {}
        return cls(
            county=county,
            bureau=bureau,
            doc_codes=codes,
            recipients=pub.get("recipients") or f"各乡镇人民政府、街道办事处，{town_word}直有关单位",
            cc=pub.get("cc") or f"{town_word}安委会各成员单位",
            printer=pub.get("printer") or f"{bureau}办公室",
            leadership=list((config.get("contacts") or {}).get("leadership") or []),
            weights={k: float(v) for k, v in (ranking.get("weights") or {}).items()},
            bands=list(ranking.get("bands") or []),
            fonts=Fonts.from_config(pub.get("fonts")),
        )
