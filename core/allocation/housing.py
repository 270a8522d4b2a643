"""Public-rental houses as people read them: layouts, orientations, places.

The pool stores a layout as a short code (``studio`` / ``1b`` / ``2b`` /
``3b``); screens, SMS texts and documents show the Chinese words of the guides
(单间 / 一房一厅 / 两房一厅 / 三房一厅). Orientations are stored as the Chinese
words themselves (南 / 东南 …). Building, unit and room are stored bare
("3", "1", "1203") and shown with their measure words ("3栋1单元1203室").

Pure: stdlib only.
"""

from __future__ import annotations

from core.errors import RuleViolation

STUDIO = "studio"
ONE_BEDROOM = "1b"
TWO_BEDROOMS = "2b"
THREE_BEDROOMS = "3b"

LAYOUT_LABELS: dict[str, str] = {
    STUDIO: "单间",
    ONE_BEDROOM: "一房一厅",
    TWO_BEDROOMS: "两房一厅",
    THREE_BEDROOMS: "三房一厅",
}
LAYOUTS: tuple[str, ...] = tuple(LAYOUT_LABELS)  # smallest first

# What a clerk may type for a layout, besides the code and the label.
_LAYOUT_ALIASES: dict[str, str] = {
    "单间": STUDIO,
    "开间": STUDIO,
    "一房": ONE_BEDROOM,
    "一室一厅": ONE_BEDROOM,
    "1房1厅": ONE_BEDROOM,
    "两房": TWO_BEDROOMS,
    "二房一厅": TWO_BEDROOMS,
    "两室一厅": TWO_BEDROOMS,
    "2房1厅": TWO_BEDROOMS,
    "三房": THREE_BEDROOMS,
    "三室一厅": THREE_BEDROOMS,
    "3房1厅": THREE_BEDROOMS,
}

ORIENTATIONS: tuple[str, ...] = ("南", "北", "东", "西", "东南", "西南", "东北", "西北", "南北")


def layout_label(code: str) -> str:
    """The Chinese word for a layout code ("2b" → "两房一厅").

    An unknown code is shown as it is rather than hidden: a screen must never
    fail on a row it cannot name.
    """
    return LAYOUT_LABELS.get(code, code)


def parse_layout(raw: str) -> str:
    """A layout code from what a clerk typed: a code ("2b", "2B"), a label
    ("两房一厅") or a common alias ("两室一厅"); refuses anything else."""
    text = "".join(str(raw or "").split())
    if not text:
        raise RuleViolation("HOUSE_LAYOUT_EMPTY", "请选择户型。", field="layout")
    if text.lower() in LAYOUT_LABELS:
        return text.lower()
    for code, label in LAYOUT_LABELS.items():
        if text == label:
            return code
    if text in _LAYOUT_ALIASES:
        return _LAYOUT_ALIASES[text]
    names = "、".join(LAYOUT_LABELS.values())
    raise RuleViolation("HOUSE_LAYOUT_UNKNOWN", f"户型只能是{names}之一。", field="layout")


def check_orientation(raw: str) -> str:
    """An orientation from the list (南 / 北 / 东南 …); refuses anything else."""
    text = "".join(str(raw or "").split())
    if text not in ORIENTATIONS:
        raise RuleViolation("HOUSE_ORIENTATION_UNKNOWN", f"朝向只能是{'、'.join(ORIENTATIONS)}之一。", field="orientation")
    return text


