"""The faces of GB/T 9704-2012 and the free fonts that stand in for them.

GB/T 9704 asks for 小标宋 (title), 仿宋 (body), 黑体 (first-level headings) and 楷体
(second-level headings). Those are commercial faces; the project installs free ones with
`scripts/setup.sh --system` (Debian fonts-noto-cjk, fonts-arphic-ukai) and uses them in
both the PDF (embedded by weasyprint) and the DOCX (named in w:eastAsia):

    小标宋 -> Noto Serif CJK SC Bold      黑体 -> Noto Sans CJK SC
    仿宋   -> Noto Serif CJK SC            楷体 -> AR PL UKai CN

No free simplified-Chinese 仿宋 is packaged (Debian's cwTeX 仿宋 lacks a third of the
simplified characters of a bulletin, measured), so the body uses the Song face. A bureau
whose PCs have the official faces names them in the profile (publications.fonts), e.g.
{title: 方正小标宋简体, body: 仿宋_GB2312, heading: 黑体, kai: 楷体_GB2312}.
"""

from __future__ import annotations

from dataclasses import dataclass

# Sizes of GB/T 9704 in points: 初号 42, 二号 22, 三号 16, 四号 14, 小四 12, 五号 10.5.
SIZE_HEADER = 40  # 发文机关标志: red, large; GB/T 9704 leaves its size to the issuer
SIZE_TITLE = 22  # 二号
SIZE_BODY = 16  # 三号
SIZE_PAGE_NUMBER = 14  # 四号
SIZE_TABLE = 10.5  # 五号
SIZE_TABLE_TITLE = 18  # 小二
LINE_PITCH = 28.95  # 22 lines on the 225 mm type area, the usual Word setting 固定值28.95磅

# Page: A4, margins of GB/T 9704 7.1 (top 37 mm, bottom 35, left 28, right 26: 156 x 225 mm).
PAGE_MM = {"width": 210, "height": 297, "top": 37, "bottom": 35, "left": 28, "right": 26}
RED = "#E60012"  # the red of a 红头


@dataclass(frozen=True)
class Fonts:
    title: str = "Noto Serif CJK SC"  # bold
    body: str = "Noto Serif CJK SC"
    heading: str = "Noto Sans CJK SC"
    kai: str = "AR PL UKai CN"

    @classmethod
    def from_config(cls, config: dict | None) -> Fonts:
        known = {k: v for k, v in (config or {}).items() if k in cls.__dataclass_fields__ and v}
        return cls(**known)

    def css_stack(self, role: str) -> str:
        """A CSS font-family list: the chosen face, then the free faces the project installs,
        so a missing face never falls back to one without CJK glyphs."""
        chosen = getattr(self, role)
        fallbacks = {
            "title": ["Noto Serif CJK SC"],
            "body": ["Noto Serif CJK SC"],
            "heading": ["Noto Sans CJK SC"],
            "kai": ["AR PL UKai CN", "Noto Serif CJK SC"],
        }[role]
        names = [chosen] + [f for f in fallbacks if f != chosen]
        return ", ".join(f'"{n}"' for n in names) + ", serif"


# ---------------------------------------------------------------- is there a Chinese face at all?

CJK_FONT_PACKAGE = "fonts-noto-cjk"


class MissingChineseFontsError(RuntimeError):
    """No font on this machine covers Chinese: a PDF would show boxes (message in Chinese)."""


def chinese_font_families() -> list[str]:
    """The font families fontconfig knows that cover Chinese (`fc-list :lang=zh family`),
    asked through libfontconfig itself - the library weasyprint (pango) renders with, so
    the answer is the one the PDF would get, FONTCONFIG_FILE included, and no `fc-list`
    binary is needed. Raises OSError when libfontconfig cannot be loaded."""
    import ctypes
    import ctypes.util

    lib = ctypes.CDLL(ctypes.util.find_library("fontconfig") or "libfontconfig.so.1")
    lib.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    lib.FcNameParse.restype = ctypes.c_void_p
    lib.FcNameParse.argtypes = [ctypes.c_char_p]
    lib.FcObjectSetBuild.restype = ctypes.c_void_p
    lib.FcFontList.restype = ctypes.c_void_p
    lib.FcFontList.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    for name in ("FcFontSetDestroy", "FcObjectSetDestroy", "FcPatternDestroy", "FcConfigDestroy"):
        getattr(lib, name).argtypes = [ctypes.c_void_p]

    class FontSet(ctypes.Structure):
        _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.POINTER(ctypes.c_void_p))]

    config = lib.FcInitLoadConfigAndFonts()  # a fresh config: reads FONTCONFIG_FILE now
    pattern = lib.FcNameParse(b":lang=zh")
    objects = lib.FcObjectSetBuild(b"family", None)
    fonts = lib.FcFontList(config, pattern, objects)
    families: set[str] = set()
    try:
        if fonts:
            found = ctypes.cast(fonts, ctypes.POINTER(FontSet)).contents
            for i in range(found.nfont):
                value = ctypes.c_char_p()
                if lib.FcPatternGetString(found.fonts[i], b"family", 0, ctypes.byref(value)) == 0 and value.value:
                    families.add(value.value.decode("utf-8", "replace"))
    finally:
        if fonts:
            lib.FcFontSetDestroy(fonts)
        lib.FcObjectSetDestroy(objects)
        lib.FcPatternDestroy(pattern)
        if config:
            lib.FcConfigDestroy(config)
    return sorted(families)


def require_chinese_fonts() -> None:
    """Refuse to publish on a machine without a Chinese font: weasyprint would write a PDF of
    boxes without a word of warning (issue 15, "Silent failures")."""
    try:
        families = chinese_font_families()
    except OSError:
        families = []
    if not families:
        raise MissingChineseFontsError(
            "本机没有可用的中文字体，生成的 PDF 会把汉字显示为方框，已停止发布（未写出任何文件）。"
            f"请安装字体包 {CJK_FONT_PACKAGE}（Debian/Ubuntu：sudo apt-get install {CJK_FONT_PACKAGE}，"
            "或运行 scripts/setup.sh --system）后重试。"
        )
