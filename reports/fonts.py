"""The CJK TrueType font every document embeds (as a subset).

reportlab's built-in CID fonts (STSong-Light) are not embedded and show as
empty boxes in most viewers; OpenType CJK fonts with PostScript outlines
(Noto/Source Han .otf/.ttc) are refused by reportlab. WenQuanYi Micro Hei
(Debian: fonts-wqy-microhei) is TrueType and embeds as a subset with a
ToUnicode map, so the text also extracts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont, TTFontFace

FONT_NAME = "WangqianCJK"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)


class FontNotFound(RuntimeError):
    """No usable CJK TrueType font: documents cannot be made."""


_configured: Path | None = None


def configure(path: Path | None) -> None:
    """Use the hall's font (``Settings.cjk_font``) instead of the usual places.

    Called by the app factory before any document is made; reportlab's font
    registry is process-wide, so this is too.
    """
    global _configured
    if path != _configured:
        _configured = path
        register_cjk_font.cache_clear()


def candidate_paths() -> list[Path]:
    if _configured is not None:
        return [_configured]
    return [Path(p) for p in CANDIDATES]


class _TableCachingFace(TTFontFace):
    """A font face that slices each raw TrueType table out of the font file
    once and keeps it.

    reportlab makes every document's subsets with ``makeSubset``, which asks
    for about ten tables per subset; ``get_table`` copies them out of the file
    each time, among them the whole ``glyf`` table (megabytes for a CJK font).
    Tables are immutable bytes, so keeping them is safe; every document still
    gets its own subset, made from its own characters.
    """

    def get_table(self, tag: str) -> bytes:
        tables = self.__dict__.setdefault("_wq_tables", {})
        try:
            return tables[tag]
        except KeyError:
            table = tables[tag] = super().get_table(tag)
            return table


class CJKFont(TTFont):
    """reportlab's TTFont with a table-caching face (see _TableCachingFace)."""

    def __init__(self, name: str, filename: str, subfontIndex: int = 0) -> None:
        super().__init__(name, filename, subfontIndex=subfontIndex)
        # Parsed once by TTFont; only the class changes, to add the cache.
        self.face.__class__ = _TableCachingFace


@cache
def register_cjk_font() -> str:
    """Register the first usable font and return its reportlab name."""
    tried = []
    for path in candidate_paths():
        if not path.exists():
            tried.append(f"{path}（不存在）")
            continue
        try:
            pdfmetrics.registerFont(CJKFont(FONT_NAME, str(path), subfontIndex=0))
            return FONT_NAME
        except TTFError as exc:
            tried.append(f"{path}（{exc}）")
    raise FontNotFound(
        "未找到可嵌入的中文 TrueType 字体，无法生成文书。请安装 fonts-wqy-microhei，"
        "或用配置项 WANGQIAN_CJK_FONT 指定字体文件。已尝试：" + "；".join(tried)
    )
