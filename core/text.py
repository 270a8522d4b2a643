"""Text shown to a person exactly as it is: no control character is obeyed.

Anything typed or stored (a reason, a name, a number someone pasted) may hold
escape sequences, other control characters or lone surrogates (bytes that were
not UTF-8). Shown raw, an escape sequence clears a terminal or sets its title.
``printable`` keeps every visible character and the line breaks a caller allows,
and shows the rest as a visible mark.
"""

from __future__ import annotations

import unicodedata

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
