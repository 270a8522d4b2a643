"""The CJK TrueType font every document embeds (as a subset).

reportlab's built-in CID fonts (STSong-Light) are not embedded and show as
empty boxes in most viewers; OpenType CJK fonts with PostScript outlines
(Noto/Source Han .otf/.ttc) are refused by reportlab. WenQuanYi Micro Hei
(Debian: fonts-wqy-microhei) is TrueType and embeds as a subset with a
ToUnicode map, so the text also extracts.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

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


def candidate_paths() -> list[Path]:
    configured = os.environ.get("WANGQIAN_CJK_FONT")
    if configured:
        return [Path(configured)]
    return [Path(p) for p in CANDIDATES]


@cache
def register_cjk_font() -> str:
    """Register the first usable font and return its reportlab name."""
    tried = []
    for path in candidate_paths():
        if not path.exists():
            tried.append(f"{path}（不存在）")
            continue
        try:
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
            return FONT_NAME
        except TTFError as exc:
            tried.append(f"{path}（{exc}）")
    raise FontNotFound(
        "未找到可嵌入的中文 TrueType 字体，无法生成文书。请安装 fonts-wqy-microhei，"
        "或用环境变量 WANGQIAN_CJK_FONT 指定字体文件。已尝试：" + "；".join(tried)
    )
