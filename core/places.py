"""How a building, a unit and a room are named in text: "3" becomes "3栋", a number that already
names itself ("2栋", "A座", "1单元", "3-02室") is not named twice. Shared by allocation, resale
and presale, on screen and on paper."""

from __future__ import annotations


def _with_word(value: str, word: str, *already: str) -> str:
    text = (value or "").strip()
    if not text or text.endswith((word, *already)):
        return text
    return text + word


def building_label(building: str) -> str:
    """"3" → "3栋"; "A座" and "3号楼" stay as they are."""
    return _with_word(building, "栋", "座", "楼", "幢")


def unit_label(unit: str) -> str:
    """"1" → "1单元"; an empty unit (no units in the building) stays empty."""
    return _with_word(unit, "单元")


def room_label(room: str) -> str:
    """"1203" → "1203室"."""
    return _with_word(room, "室", "房")


def place_label(building: str, unit: str, room: str) -> str:
    """Building, unit and room as one text: "3栋1单元1203室"."""
    return building_label(building) + unit_label(unit) + room_label(room)
