"""A room number (室号) as typed, and the building's rooms as the permit holds them.

A unit is found by its room number exactly as the survey in force (and so the permit) holds it:
"5-03" is not "503". The guide's refusal for a room not found is "没有找到有效许可证户室信息";
a clerk who typed "503", "5-3", "５－０３", "d004-5-03" or "A01 5-03" for the building's "5-03"
read that sentence and had nothing to go on. ``unit_not_found`` keeps the guide's sentence and,
when the typed number is one of the building's rooms written another way, names the room as the
permit holds it: "没有找到有效许可证户室信息；该幢有户室“5-03”，请按许可证上的户室号输入。"

Written another way means: equal once full-width characters are folded, letters compared in
upper case and separators ignored (``-``, ``－``, ``—``, spaces, ``_``, ``/``); equal part by part
once the zeros in front of each number are dropped ("5-3" is "5-03"); or either of those once a
building number or unit (单元) typed in front of the room ("D004-", "4栋", "A01", "2单元") and a
室 or 号 after it are taken off. The room is never taken in the clerk's place: the refusal stays
(a near match is a guess, and a contract on the wrong room is worse than a second try).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.errors import RuleViolation
from core.text import fold_width

__all__ = ["NOT_FOUND", "rooms_like", "unit_not_found"]

#: The guide's sentence for a room no permit in force covers.
NOT_FOUND = "没有找到有效许可证户室信息。"

#: How many rooms a hint names at most.
HINT_ROOMS = 3

_SEPARATORS = re.compile(r"[\s\-－—–‐‑_/／]+")
_DIGITS = re.compile(r"\d+")
#: What may follow a building number or a unit typed in front of a room.
_PREFIX_WORDS = ("", "栋", "幢", "号楼", "楼", "单元")
#: What may follow a room number.
_ROOM_WORDS = ("室", "号", "房")


def _parts(text: str) -> list[str]:
    """``text`` folded (full width to ASCII, upper case) and split at its separators."""
    return [part for part in _SEPARATORS.split(fold_width(text).upper()) if part]


def _unpadded(parts: list[str]) -> tuple[str, ...]:
    """Each part with the zeros in front of its numbers dropped ("03" → "3"; no ``int``: a
    pasted 5,000-digit run is text here, not a number)."""
    return tuple(_DIGITS.sub(lambda m: m.group().lstrip("0") or "0", part) for part in parts)


def _without_words(text: str, words: Iterable[str]) -> str:
    for word in words:
        if word and text.endswith(word) and len(text) > len(word):
            return text[: -len(word)]
    return text


def _readings(typed: str, prefixes: Iterable[str]) -> list[list[str]]:
    """The ways ``typed`` may be read as a room: as it is, and with each prefix taken off its
    front; each without a 室 / 号 after it."""
    parts = _parts(typed)
    if not parts:
        return []
    last = _without_words(parts[-1], _ROOM_WORDS)
    readings = [[*parts[:-1], last]]
    joined = "".join(readings[0])
    for prefix in prefixes:
        key = "".join(_parts(prefix))
        if not key:
            continue
        for word in _PREFIX_WORDS:
            head = key + word
            if joined.startswith(head) and len(joined) > len(head):
                # Taken off the parts as typed when it is a whole part ("D004-5-03"), else off the text.
                first = readings[0]
                if "".join(first[:1]) == head and len(first) > 1:
                    readings.append(first[1:])
                else:
                    readings.append([joined[len(head):]])
    return readings


def rooms_like(typed: object, rooms: Iterable[str], *, prefixes: Iterable[str] = ()) -> list[str]:
    """The rooms among ``rooms`` (as held) that ``typed`` writes another way (see the module),
    in their order; ``prefixes``: the building number and the units (单元) a clerk may type in
    front of a room. A room equal to ``typed`` as it is is not "another way": none is named."""
    if not isinstance(typed, str) or not typed.strip():
        return []
    readings = _readings(typed, list(prefixes))
    keys = {"".join(reading) for reading in readings}
    unpadded = {_unpadded(reading) for reading in readings}
    found: list[str] = []
    for room in rooms:
        if room == typed.strip() or room in found:
            continue
        parts = _parts(room)
        if "".join(parts) in keys or _unpadded(parts) in unpadded:
            found.append(room)
    return found


def unit_not_found(typed: object, rooms: Iterable[str], *, prefixes: Iterable[str] = (),
                   field: str | None = "unit") -> RuleViolation:
    """The refusal PERMIT_UNIT_NOT_FOUND for a room typed as ``typed`` that is not one of the
    building's: the guide's sentence, and the rooms it may have meant as the permit holds them."""
    like = rooms_like(typed, rooms, prefixes=prefixes)
    if not like:
        return RuleViolation("PERMIT_UNIT_NOT_FOUND", NOT_FOUND, field=field)
    named = "、".join(f"“{room}”" for room in like[:HINT_ROOMS]) + ("等" if len(like) > HINT_ROOMS else "")
    return RuleViolation("PERMIT_UNIT_NOT_FOUND",
                         f"{NOT_FOUND[:-1]}；该幢有户室{named}，请按许可证上的户室号输入。", field=field)
