"""Chinese line breaking for the documents (禁則 / kinsoku), as one rule.

reportlab's ``wordWrap='CJK'`` breaks between any two characters and lets at
most one closing mark hang, so a line could start with "，" or "）", and a
number could be cut in two ("第95820" / "65号", "33." / "33%"). Here the
break opportunities are decided once, from the text alone:

* no line starts with closing punctuation (，。、；：？！）」》 …);
* no line ends with opening punctuation (（「《“ …);
* a number never breaks inside: a run of Latin letters and digits (and the
  "*" of a masked number) with the separators inside it ("3,500,000.00",
  "WF2026031500088", "2019-03", "420106********0017"), a
  trailing "%", "‰" or "号" ("民族东路1号"), a leading "¥", and a
  certificate number written as "第9582065号" together with its "第" and "号".

``break_allowed`` lists, for each position, whether a line may start there;
``fit_lines`` fills lines greedily with it (what ``reports.base.Paragraph``
uses for every paragraph). When a single unbreakable piece is wider than
the line it is cut (nothing is lost; a line never stays empty), and a
closing mark that cannot be moved to the next line hangs on this one.

Pure: no reportlab here, only strings and widths.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["CLOSING", "OPENING", "break_allowed", "fit_lines", "fit_text", "unbreakable_spans"]

#: Characters a line must not start with.
CLOSING = frozenset(
    "，。、；：？！）」』》〉】〕〗］｝”’…‥·・ー—～%‰℃°′″"
    "!),.:;?]}\u3001\u3002\uff09\uff0c\uff0e\uff1a\uff1b\uff1f\uff01\uff05"
)
#: Characters a line must not end with.
OPENING = frozenset("（「『《〈【〔〖［｛“‘([{¥￥$＄£")

# A number or code: letters/digits with inner separators, an optional
# currency sign before and percent after; or a certificate number 第…号.
_UNBREAKABLE = re.compile(
    r"第[0-9A-Za-z]+号"
    r"|[¥￥$]?[0-9A-Za-z*]+(?:[.,:/\-·][0-9A-Za-z*]+)*[%‰％号]?"
)


def unbreakable_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of ``text`` that must stay on one line."""
    return [m.span() for m in _UNBREAKABLE.finditer(text) if m.end() - m.start() > 1]


def break_allowed(text: str) -> list[bool]:
    """``allowed[k]`` (0 < k < len): may a line start at character ``k``?

    ``allowed[0]`` is False (a line break before the text means nothing).
    Characters not in ``text``'s string sense (e.g. an inline image) may be
    passed as "" placeholders by the caller: they are neither punctuation nor
    part of a number, so they break freely.
    """
    n = len(text)
    allowed = [True] * n
    if n:
        allowed[0] = False
    for k in range(1, n):
        if text[k] in CLOSING or text[k - 1] in OPENING:
            allowed[k] = False
    for start, end in unbreakable_spans(text):
        for k in range(start + 1, end):
            allowed[k] = False
    return allowed


def fit_lines(widths: Sequence[float], allowed: Sequence[bool], max_width: Callable[[int], float],
              forced: Sequence[bool] = (), hang: Sequence[bool] = (), fuzz: float = 1e-8) -> list[tuple[int, int]]:
    """Split items of ``widths`` into lines: a list of (start, end) index pairs.

    ``allowed[k]``: a line may start at item ``k`` (see ``break_allowed``);
    ``max_width(i)``: the width of line ``i``; ``forced[k]``: the line ends
    after item ``k`` (an explicit line break); ``hang[k]``: item ``k`` is a
    closing mark. Lines are filled greedily and each break goes back to the
    last allowed position; a piece with no allowed break inside the line is
    cut where it overflows, except that closing marks at the cut hang on the
    line rather than start the next.
    """
    n = len(widths)
    lines: list[tuple[int, int]] = []
    start = 0
    while start < n:
        limit = max_width(len(lines))
        used = 0.0
        end = n
        for i in range(start, n):
            used += widths[i]
            if forced and forced[i]:
                end = i + 1
                break
            if used > limit + fuzz and i > start:
                # items start..i-1 fit: break at the last allowed position in (start, i]
                b = next((k for k in range(i, start, -1) if allowed[k]), None)
                if b is None:  # one piece wider than the line: cut it, closing marks hang
                    b = i
                    while b < n and hang and hang[b]:
                        b += 1
                end = b
                break
        lines.append((start, end))
        start = end
    return lines


def fit_text(text: Sequence[str], widths: Sequence[float], max_width: Callable[[int], float],
             forced: Sequence[bool] = ()) -> list[tuple[int, int]]:
    """``fit_lines`` over characters: ``text[k]`` is one character, or ""
    for an item that is not text (an inline image, a line break)."""
    joined = "".join(ch if len(ch) == 1 else "\ufffc" for ch in text)
    return fit_lines(widths, break_allowed(joined), max_width, forced, [c in CLOSING for c in joined])
