"""Text shown to a person exactly as it is: no control character is obeyed.

Anything typed or stored (a reason, a name, a number someone pasted) may hold
escape sequences, other control characters or lone surrogates (bytes that were
not UTF-8). Shown raw, an escape sequence clears a terminal or sets its title.
``printable`` keeps every visible character and the line breaks a caller allows,
and shows the rest as a visible mark.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from core.errors import RuleViolation

_MARK = "\ufffd"  # the replacement character: "something was here that cannot be shown"


def printable(text: object, *, keep_newlines: bool = False, limit: int | None = None) -> str:
    """``text`` safe for a terminal: control, format-bidi and surrogate characters replaced
    by a visible mark; clipped to ``limit`` characters with an ellipsis."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    out = []
    for ch in text:
        if keep_newlines and ch == "\n":
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs") or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
            out.append(_MARK)
        else:
            out.append(ch)
    shown = "".join(out)
    if limit is not None and len(shown) > limit:
        shown = shown[: max(0, limit - 1)] + "…"
    return shown


def fold_width(text: str) -> str:
    """Free text as it is kept: full-width letters and digits (typed with a Chinese input
    method) as ASCII, and so a full-width mark between two of them (８９．５, Ａ－１, １／２);
    every kind of space as a plain space; CJK compatibility ideographs as their unified form;
    combining marks composed (NFC). Chinese punctuation stays as typed: NFKC would make
    “经审核，同意。” read “经审核,同意。”, （） read () and ㎡ read m2."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
            out.append(chr(code - 0xFEE0))
        elif unicodedata.category(ch) == "Zs":
            out.append(" ")
        elif 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F:
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    for i in range(1, len(out) - 1):
        code = ord(out[i])
        if (0xFF01 <= code <= 0xFF5E and out[i - 1].isascii() and out[i - 1].isalnum()
                and out[i + 1].isascii() and out[i + 1].isalnum()):
            out[i] = chr(code - 0xFEE0)
    return unicodedata.normalize("NFC", "".join(out))


def whole_number(text: str, *, max_digits: int = 9) -> int | None:
    """``text`` as a whole number typed in decimal digits ("3", "03", "３"), or None when it is
    anything else. ``str.isdigit`` is not the test: it also passes superscripts and circled
    digits ("²", "①"), which ``int`` refuses; and a number longer than ``max_digits`` is no
    list position, rank or count anyone types (``int`` refuses past 4,300 digits)."""
    text = text.strip()
    if not text.isdecimal() or len(text) > max_digits:
        return None
    return int(text)



def code_or_label(text: str, labels: Mapping[str, str]) -> str | None:
    """The code of ``labels`` (code → Chinese name) that ``text`` names, by its code
    (``signed``) or by its name (``已签约``), as an operator writes either on the command line;
    ``None`` when it names none."""
    wanted = fold_width(text).strip()
    if wanted.lower() in labels:
        return wanted.lower()
    return next((code for code, label in labels.items() if label == wanted), None)


def choices_said(labels: Mapping[str, str]) -> str:
    """``labels`` as a refusal or a help text lists them: ``signed（已签约）、filed（已备案）``."""
    return "、".join(f"{code}（{label}）" for code, label in labels.items())


def typed_id(raw: object, *, code: str, message: str, field: str) -> int | None:
    """The number a record is known by (项目编号, 账户编号, 抵押编号) as a person typed it, or as a
    caller already holds it: None when nothing is typed; an ``int`` as it is; text as
    ``whole_number`` reads it ("12", "１２" from a Chinese input method). Anything else (a sign,
    a fraction, "1e309", 5,000 digits, markup, an emoji) names no record: refused with ``code``
    and ``message`` under ``field``, never guessed at nor passed on to a query."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    number = whole_number(raw) if isinstance(raw, str) else None
    if number is None:
        raise RuleViolation(code, message, field=field)
    return number
