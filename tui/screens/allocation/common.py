"""What the selection screens (选房场次, 家庭选房, 房源信息播报) share: their
stylesheet, a one-line message, and how a round and a house are written on screen.

The words come from the Shenzhen guide (seed 000): 预选 / 正选 / 购物车 /
推算 / 确认正选 / 补选 / 房源信息播报.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from textual.widgets import Static

from core.timeutil import to_local

# Loaded by every screen and dialog of the selection (once per app, rules are global).
ALLOCATION_CSS = Path(__file__).resolve().parent.parent.parent / "allocation.tcss"

def window_short(start: datetime, end: datetime) -> str:
    """11-12 09:00–11:00 (same day) or 11-10 09:00–11-11 17:00, Shanghai time."""
    a, b = to_local(start), to_local(end)
    if a.date() == b.date():
        return f"{a:%m-%d %H:%M}–{b:%H:%M}"
    return f"{a:%m-%d %H:%M}–{b:%m-%d %H:%M}"


def place(building: str, floor: int, room: str) -> str:
    """3栋12层1203."""
    return f"{building}栋{floor}层{room}"


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def area(value: Decimal) -> str:
    return f"{value:.2f}"


class MessageLine(Static):
    """One line under a screen's title: a refusal (red), a done act (green), or a note."""

    def say(self, text: str, style: str = "") -> None:
        self.set_classes(f"status-line {style}".strip())
        self.update(text)

    def refuse(self, text: str) -> None:
        self.say(text, "-error")

    def ok(self, text: str) -> None:
        self.say(text, "-ok")
